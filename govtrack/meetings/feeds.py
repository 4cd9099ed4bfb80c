"""Calendar feeds (iCalendar) at private, revocable URLs."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField

from govtrack.clock import today
from govtrack.committees.models import Committee, Membership
from govtrack.extensions import db
from govtrack.forms import Form, OnceForm, save
from govtrack.meetings import calendar
from govtrack.meetings.models import CalendarFeed, Meeting

bp = Blueprint("feeds", __name__)


class FeedForm(OnceForm):
    """A new feed: one committee's meetings, or all of mine."""

    committee = SelectField("Meetings of", default="", description=(
        "A feed of all your committees follows you as you join or leave them."))


class RevokeForm(Form):
    """Revoke a feed (the CSRF token is all it carries)."""


def agenda_url(meeting: Meeting) -> str:
    """The absolute address of the meeting's page with its agenda, for calendar events."""
    return url_for("meetings.meeting_detail", key=meeting.key, _external=True)


def _my_committees() -> list[Committee]:
    """The committees the signed-in person sits on today: the ones a feed may follow."""
    day = today()
    memberships = db.session.scalars(
        select(Membership).where(Membership.person_id == current_user.person_id)
        .options(selectinload(Membership.committee), selectinload(Membership.person)))
    return sorted({m.committee for m in memberships if m.holds_on(day)},
                  key=lambda c: c.name.casefold())


def _feed_form(committees: list[Committee]) -> FeedForm:
    form = FeedForm()
    form.committee.choices = [("", "All my committees")] + [(c.key, c.name) for c in committees]
    return form


def _page(form: FeedForm, new_url: str | None = None, repeated: bool = False):
    feeds = db.session.scalars(
        select(CalendarFeed).where(CalendarFeed.person_id == current_user.person_id)
        .options(selectinload(CalendarFeed.committee))
        .order_by(CalendarFeed.created_at.desc(), CalendarFeed.id.desc()))
    return render_template("feeds/list.html", form=form, feeds=list(feeds), new_url=new_url,
                           repeated=repeated)


@bp.get("/calendar/<token>.ics")
def feed_ics(token: str):
    """The feed itself: no login, the token in the URL is the credential."""
    feed = calendar.feed_for_token(token)
    if feed is None:
        abort(404)
    body = calendar.ical(feed, calendar.feed_meetings(feed), agenda_url)
    response = Response(body, content_type="text/calendar; charset=utf-8")
    # A stored copy would keep serving a revoked feed, or a moved meeting's old time.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/calendar/")
@login_required
def feed_list():
    """My calendar feeds, and a form to make one."""
    return _page(_feed_form(_my_committees()))


@bp.post("/calendar/new")
@login_required
def feed_new():
    """Make a feed and show its address, this once."""
    committees = _my_committees()
    form = _feed_form(committees)
    new_url, repeated = None, False
    if form.validate_on_submit():
        committee = next((c for c in committees if c.key == form.committee.data), None)
        secret = calendar.feed_token(form.submitted_token())
        token = save(form, lambda: calendar.create_feed(current_user, current_user.person,
                                                        committee, token=secret))
        # A repeat (True) made no feed; the browser may have dropped the first answer,
        # so it shows the address of the feed the first click made.
        repeated = token is True and calendar.own_feed(current_user.person, secret) is not None
        if token and (token is not True or repeated):
            new_url = url_for("feeds.feed_ics", token=secret, _external=True)
    # Rendered, not redirected: the address exists only in this response, never in a
    # session or the database.
    return _page(form, new_url, repeated)


@bp.post("/calendar/<int:feed_id>/revoke")
@login_required
def feed_revoke(feed_id: int):
    """Revoke one of my feeds."""
    feed = db.session.get(CalendarFeed, feed_id)
    if feed is None or feed.person_id != current_user.person_id:
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit() and save(form, lambda: calendar.revoke_feed(current_user, feed)):
        flash("Feed revoked: calendars subscribed to it no longer update.", "success")
    return redirect(url_for("feeds.feed_list"))
