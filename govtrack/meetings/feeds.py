"""Calendar feeds (iCalendar) at private, revocable URLs."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
