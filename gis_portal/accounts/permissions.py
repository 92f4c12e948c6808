"""The one place that decides what a user may do with a record of an area.

Every layer and action asks `may(user, action, area)`. A staff role covers its areas and
everything inside them (an oblast officer covers its districts and okrugs). Country-wide
roles (administrator, moderator) need no area. Residents hold no staff role.
"""

from enum import StrEnum

from .models import StaffRole

Kind = StaffRole.Kind


class Action(StrEnum):
    VIEW_PRIVATE = "view_private"  # personal data of people who need help, volunteers
    CHANGE = "change"  # create, edit, publish records of an area
    MODERATE = "moderate"  # hide or restore public content
    CONFIRM_IDENTITY = "confirm_identity"  # in-person ID check at a public service centre
    MANAGE_ROLES = "manage_roles"
    MANAGE_HERITAGE = "manage_heritage"  # monuments and natural sites, their condition reports


# Which role may do which action. Moderators see public content only: personal data stays
# with the akimat and NGO staff of the area.
GRANTS: dict[str, set[Action]] = {
    Kind.ADMINISTRATOR: set(Action),
    Kind.MODERATOR: {Action.MODERATE},
    Kind.AKIMAT_OFFICER: {Action.VIEW_PRIVATE, Action.CHANGE, Action.MODERATE,
                          Action.MANAGE_HERITAGE},
    Kind.NGO_OPERATOR: {Action.VIEW_PRIVATE, Action.CHANGE},
    Kind.SERVICE_CENTRE_OPERATOR: {Action.CONFIRM_IDENTITY},
    # Culture departments look after the monuments and sites of their areas, nothing else.
    Kind.CULTURE_OFFICER: {Action.MANAGE_HERITAGE},
}

# Actions that are not about an area's records (a person can be checked at any centre).
AREA_FREE_ACTIONS = {Action.CONFIRM_IDENTITY, Action.MANAGE_ROLES}


def _area_chain_ids(area) -> set[int]:
    ids, node = set(), area
    while node is not None:
        ids.add(node.pk)
        node = node.parent
    return ids


def active_roles(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return StaffRole.objects.none()
    return StaffRole.objects.filter(user=user, is_active=True).prefetch_related("areas")


def may(user, action: Action, area=None) -> bool:
    """May this user take this action on a record of this area (None: no area)?"""
    action = Action(action)
    chain = _area_chain_ids(area) if area is not None else set()
    for role in active_roles(user):
        if action not in GRANTS.get(role.kind, set()):
            continue
        if role.kind in StaffRole.COUNTRY_WIDE or action in AREA_FREE_ACTIONS:
            return True
        if area is not None and chain & {a.pk for a in role.areas.all()}:
            return True
    return False


def areas_where(user, action: Action):
    """The areas (roots) in which the user may take the action; None means everywhere."""
    action = Action(action)
    roots = set()
    for role in active_roles(user):
        if action not in GRANTS.get(role.kind, set()):
            continue
        if role.kind in StaffRole.COUNTRY_WIDE or action in AREA_FREE_ACTIONS:
            return None
        roots |= set(role.areas.all())
    return roots
