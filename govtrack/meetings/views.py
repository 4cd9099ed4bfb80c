"""Meeting pages: schedule, agenda, attendance, minutes."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
