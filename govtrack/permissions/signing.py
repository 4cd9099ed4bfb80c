"""Who may sign an MOU for an agency: the one permission that reads the signing register.

Apart from the rest of the permission package because it needs the MOU
services (the head capacity and the register), which themselves ask the
package's committee rules.
"""

from datetime import date

from govtrack.mous.services import signing_capacity


def can_sign_for(account, agency, mou=None, on: date | None = None) -> bool:
    """The head of the agency, or a person of it holding an authorisation for that day and MOU.

    The register is in mous.signatories; mou None counts only authorisations
    for every MOU of the agency.
    """
    return signing_capacity(account, agency, mou, on) is not None
