"""Calendar feeds: private, revocable iCalendar URLs of a committee's or a person's meetings."""

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from icalendar import Alarm, Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from govtrack import audit
from govtrack.clock import today, utcnow
from govtrack.committees.models import Committee, Membership
from govtrack.editing import DomainError
from govtrack.extensions import db
from govtrack.meetings.models import CalendarFeed, Meeting
from govtrack.meetings.services import item_starts
from govtrack.permissions import can_view_committee, is_admin
from govtrack.tokens import new_token, token_hash

#: how far back a feed reaches: last quarter's meetings stay in members' calendars
PAST_DAYS = 90
#: the most events one feed holds, so a feed's size and cost are bounded
MAX_EVENTS = 500


def _check_own(actor, person_id: int) -> None:
    """Feeds are personal: their owner manages them (an administrator may too)."""
    if actor is None or (actor.person_id != person_id and not is_admin(actor)):
        raise DomainError("Only the owner of a calendar feed can manage it.")


def feed_token(submission: str | None) -> str:
    """The secret of a new feed: derived from its form's one-time token, when there is one.

    The browser shows only the answer to the last of a double click, and a repeat
    makes no second feed: deriving the secret lets the repeat show the address the
    first click made. It is an HMAC under the app's SECRET_KEY, so the one-time
    token the page carried opens nothing by itself; only the hash is stored. A
    form without a token (a script) gets a random secret, as before.
    """
    key = current_app.config.get("SECRET_KEY") or ""
    if not submission or not key:
        return new_token()
    mac = hmac.new(key.encode(), f"govtrack-calendar-feed:{submission}".encode(),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def create_feed(actor, person, committee: Committee | None = None,
                token: str | None = None) -> str:
    """Make a feed of person's meetings (of one committee, or of all theirs); the clear token.

    token: the feed's secret (feed_token()); a random one if None. It is shown
    and never stored: only its hash is kept.
    """
    _check_own(actor, person.id)
    if committee is not None and not can_view_committee(person.account, committee):
        raise DomainError("Choose one of your committees.", field="committee")
    token = token or new_token()
    feed = CalendarFeed(token_hash=token_hash(token), person=person, committee=committee)
    db.session.add(feed)
    audit.record(actor, "create", feed, committee=committee)
    return token


def revoke_feed(actor, feed: CalendarFeed) -> None:
    """Stop a feed: its URL answers 404 from now on."""
    _check_own(actor, feed.person_id)
    if feed.revoked_at is not None:
        return
    feed.revoked_at = utcnow()
    audit.record(actor, "update", feed, committee=feed.committee)


def own_feed(person, token: str) -> CalendarFeed | None:
    """person's live feed whose secret is token, if any (a repeated "make a feed")."""
    feed = feed_for_token(token)
    return feed if feed is not None and feed.person_id == person.id else None


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed a token opens; None if unknown, revoked, or its owner is gone."""
    feed = db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token))
        .options(selectinload(CalendarFeed.person), selectinload(CalendarFeed.committee)))
    if feed is None or feed.revoked_at is not None or not feed.person.active_on(today()):
        return None
    return feed


def _committee_ids(feed: CalendarFeed) -> list[int]:
    """The committees a feed shows now: membership is checked at every fetch, not at creation."""
    person = feed.person
    if feed.committee is not None:
        return [feed.committee.id] if can_view_committee(person.account, feed.committee) else []
    day = today()
    memberships = db.session.scalars(
        select(Membership).where(
            Membership.person_id == person.id, Membership.start <= day,
            Membership.end.is_(None) | (Membership.end >= day)))
    return sorted({m.committee_id for m in memberships if m.holds_on(day)})


def feed_meetings(feed: CalendarFeed) -> list[Meeting]:
    """The feed's meetings from PAST_DAYS ago onward, soonest first, at most MAX_EVENTS."""
    ids = _committee_ids(feed)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Meeting)
        .where(Meeting.committee_id.in_(ids),
               Meeting.starts_at >= utcnow() - timedelta(days=PAST_DAYS))
        .options(selectinload(Meeting.committee), selectinload(Meeting.items))
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(MAX_EVENTS)))


def calendar_name(feed: CalendarFeed) -> str:
    """What a calendar client calls the feed."""
    if feed.committee is not None:
        return f"{feed.committee.name} meetings"
    return f"Committee meetings of {feed.person.name}"


def _event(meeting: Meeting, agenda_url: str, stamp) -> Event:
    event = Event()
    event.add("uid", f"{meeting.key}@govtrack")
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    cancelled = meeting.status == "cancelled"
    title = f"{meeting.committee.name} meeting"
    event.add("summary", f"Cancelled: {title}" if cancelled else title)
    place = meeting.location or meeting.committee.default_location or meeting.video_link
    if place:
        event.add("location", place)
    lines = [f"Agenda: {agenda_url}"]
    if meeting.video_link:
        lines.append(f"Video link: {meeting.video_link}")
    if meeting.agenda_status == "published" and meeting.items and not cancelled:
        lines.append("")
        lines.append("Agenda")
        lines += [f"{n}. {start:%H:%M} {item.title} ({item.minutes} min)"
                  for n, (item, start) in enumerate(item_starts(meeting), start=1)]
    event.add("description", "\n".join(lines))
    event.add("url", agenda_url)
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:  # no reminder of a meeting that will not happen
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(days=-1))
        alarm.add("description", f"Tomorrow: {meeting.committee.name} meeting")
        event.add_component(alarm)
    return event


def ical(feed: CalendarFeed, meetings: list[Meeting],
         agenda_url: Callable[[Meeting], str]) -> bytes:
    """The feed as an iCalendar file: one event per meeting, agenda_url giving each link."""
    calendar = Calendar()
    calendar.add("prodid", "-//govtrack//Committee meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name(feed))
    # Ask clients to look again hourly: a moved or cancelled meeting should reach them the
    # same day.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = utcnow().replace(microsecond=0)
    for meeting in meetings:
        calendar.add_component(_event(meeting, agenda_url(meeting), stamp))
    return calendar.to_ical()


def meeting_ics(meeting: Meeting, agenda_url: str) -> bytes:
    """One meeting as an iCalendar file (a reminder's attachment): the event its feeds hold."""
    calendar = Calendar()
    calendar.add("prodid", "-//govtrack//Committee meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(_event(meeting, agenda_url, utcnow().replace(microsecond=0)))
    return calendar.to_ical()
