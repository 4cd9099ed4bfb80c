"""An MOU for tests: two or more parties, sponsored by the cast's committee."""

from govtrack.extensions import db
from govtrack.mous import services
from govtrack.mous.services import Signing
from tests.factories import PASSWORD


def make_mou(cast, status="out_for_signature", parties=None, title="Jail in-reach protocol"):
    """The member's agency and the head's agency as parties, each with one obligation.

    status: draft, in_review, out_for_signature or executed (every party's head signs).
    """
    parties = parties or [cast["member"].person.agency, cast["head"].person.agency]
    mou = services.create_mou(
        cast["admin"], title=title, committee=cast["committee"], parties=parties,
        text="The parties agree to screen every booking for mental illness.",
        obligations={a.key: f"{a.name} shares its data monthly." for a in parties})
    if status != "draft":
        services.change_status(cast["admin"], mou, "in_review")
    if status in ("out_for_signature", "executed"):
        services.change_status(cast["admin"], mou, "out_for_signature")
    db.session.commit()
    if status == "executed":
        for agency in parties:
            if agency.head is None:
                from tests.factories import Factories

                account = Factories(db).account(person=None)
                account.person.agency = agency
                agency.head = account.person
                db.session.commit()
            sign_as(agency.head.account, mou, agency)
        db.session.commit()
    return mou


def sign_as(account, mou, agency, password=PASSWORD):
    """Sign for agency with the test password."""
    return services.sign(account, mou, agency, Signing(
        password=password, consent=True, name=account.person.name, title="Head",
        address="127.0.0.1", user_agent="pytest",
        document_sha256=mou.current.digest))


def make_authorisation(cast, mou=None, starts_on=None, ends_on=None):
    """A person of the head's agency whom the head authorised to sign, from today."""
    from govtrack.clock import today
    from govtrack.mous.signatories import authorise
    from tests.factories import Factories

    agency = cast["head"].person.agency
    deputy = Factories(db).account(person=Factories(db).person(agency=agency, name="Deputy"))
    authorisation = authorise(cast["head"], agency, deputy.person,
                              starts_on=starts_on or today(), ends_on=ends_on, mou=mou)
    db.session.commit()
    return authorisation
