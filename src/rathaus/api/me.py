"""``GET /api/v1/me``: who the token belongs to."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["Konto"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str


class TokenOut(Schema):
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None


class MeOut(Schema):
    username: str
    kind: str
    name: str
    organisation: OrganisationOut | None
    token: TokenOut


@router.get("/me", response=MeOut, summary="Eigentümer des API-Tokens")
def me(request: HttpRequest) -> MeOut:
    token = request.auth  # type: ignore[attr-defined]
    owner = token.owner
    organisation = token.organisation
    return MeOut(
        username=owner.username,
        kind=owner.kind,
        name=owner.full_name,
        organisation=OrganisationOut(id=organisation.pk, name=organisation.name, kind=organisation.kind)
        if organisation
        else None,
        token=TokenOut(
            name=token.name, prefix=token.prefix, scopes=token.scopes, expires_at=token.expires_at
        ),
    )
