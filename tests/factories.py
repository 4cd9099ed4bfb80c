"""Record factories for tests: each call makes and commits one record."""

import itertools
from datetime import date
from functools import cache

from govtrack.accounts.models import Account
from govtrack.accounts.services import hash_password
from govtrack.agencies.models import Agency, Person
from govtrack.committees.models import Committee, Membership, StageChange

PASSWORD = "correct-staple-battery-42"
_counter = itertools.count(1)


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # hashed once: Argon2 is slow on purpose


class Factories:
    """make.agency(), make.person(), make.account(), make.committee(), make.membership()."""

    def __init__(self, db):
        self.db = db

    def _add(self, obj):
        self.db.session.add(obj)
        self.db.session.commit()
        return obj

    def agency(self, name=None, sector="law_enforcement", key=None, head=None):
        """An agency."""
        n = next(_counter)
        return self._add(Agency(key=key or f"agency-{n}", name=name or f"Agency {n}",
                                sector=sector, head=head))

    def person(self, agency=None, name=None, key=None, email=None, title=None, active=True):
        """A person (with an agency made for them unless given)."""
        n = next(_counter)
        return self._add(Person(key=key or f"person-{n}", name=name or f"Person {n}",
                                agency=agency or self.agency(), email=email, title=title,
                                active=active))

    def account(self, person=None, admin=False, email=None, active=True):
        """An account with the test password."""
        person = person or self.person()
        return self._add(Account(person=person, email=email or f"{person.key}@example.org",
                                 password_hash=_password_hash(), is_admin=admin,
                                 active=active))

    def committee(self, name=None, key=None, **values):
        """A committee, in the engagement stage since 2025-01-14."""
        n = next(_counter)
        committee = Committee(key=key or f"committee-{n}", name=name or f"Committee {n}",
                              **values)
        committee.stage_history.append(StageChange(stage="engagement", since=date(2025, 1, 14)))
        return self._add(committee)

    def membership(self, committee, person, role="member", start=date(2025, 1, 1), end=None,
                   agency=None):
        """A membership of person on committee."""
        return self._add(Membership(committee=committee, person=person,
                                    agency=agency or person.agency, role=role, start=start,
                                    end=end))

    def cast(self, committee=None):
        """One account for every kind of user of a committee, by role name.

        anonymous is None; outsider has an account but no seat; member, secretary,
        chair sit on the committee; head heads an agency with no seat; admin
        administers.
        """
        committee = committee or self.committee()
        cast = {"anonymous": None, "committee": committee}
        for role in ("member", "secretary", "chair"):
            account = self.account()
            self.membership(committee, account.person, role=role)
            cast[role] = account
        cast["outsider"] = self.account()
        head = self.account()
        head.person.agency.head = head.person
        self.db.session.commit()
        cast["head"] = head
        cast["admin"] = self.account(admin=True)
        cast["meeting"] = self.meeting(committee)
        cast["workgroup"] = self.workgroup(committee, lead=cast["chair"].person,
                                           members=[cast["member"].person])
        return cast

    def workgroup(self, committee, lead=None, members=()):
        """A workgroup with one goal, one milestone and one action item of its member."""
        from datetime import timedelta

        from govtrack.actions.models import ActionItem
        from govtrack.clock import today
        from govtrack.workgroups.models import Goal, Milestone, Workgroup

        n = next(_counter)
        workgroup = Workgroup(key=f"wg-{n}", committee=committee, name=f"Workgroup {n}",
                              lead=lead, members=list(members))
        goal = Goal(key=f"goal-{n}", title=f"Goal {n}")
        workgroup.goals.append(goal)
        owner = members[0] if members else lead
        goal.milestones.append(Milestone(key=f"ms-{n}", title="Protocol drafted",
                                         due=today() + timedelta(days=30), owner=owner))
        self.db.session.add(workgroup)
        if owner is not None:
            self.db.session.add(ActionItem(key=f"action-{n}", committee=committee,
                                           title="Share the data", owner=owner,
                                           due=today() + timedelta(days=10),
                                           workgroup_key=workgroup.key,
                                           origin_kind="workgroup", origin_ref=workgroup.key))
        return self._add(workgroup)

    def meeting(self, committee, starts_at=None, status="scheduled", published=True):
        """A meeting starting in two hours with one agenda item and a member's request."""
        from datetime import UTC, datetime, timedelta

        from govtrack.meetings.models import AgendaItem, AgendaRequest, Meeting

        n = next(_counter)
        starts_at = starts_at or datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
        meeting = Meeting(key=f"meeting-{n}", committee=committee, starts_at=starts_at,
                          status=status, agenda_status="published" if published else "draft")
        self.db.session.add(meeting)
        meeting.items.append(AgendaItem(title="Report-back", kind="report_back", minutes=10,
                                        position=1))
        member = next((m.person for m in committee.memberships if m.role == "member"), None)
        if member is not None:
            self.db.session.add(AgendaRequest(committee=committee, meeting=meeting,
                                              proposer=member, title="Bed data"))
        return self._add(meeting)
