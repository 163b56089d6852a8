"""The team page (members and roles) and the API token page."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from services.models import Membership

pytestmark = pytest.mark.django_db


def test_add_set_role_and_remove_a_member(client_in, team, django_user_model):
    django_user_model.objects.create_user("frank", password="x")
    response = client_in.post("/teams/shopteam/", {"action": "add", "username": "frank", "role": "member"})
    assert response.status_code == 302
    membership = Membership.objects.get(team=team, user__username="frank")
    client_in.post("/teams/shopteam/", {"action": "role", "membership": membership.pk, "role": "owner"})
    membership.refresh_from_db()
    assert membership.role == "owner"
    client_in.post("/teams/shopteam/", {"action": "remove", "membership": membership.pk})
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_adding_an_unknown_user_is_an_error_at_the_field(client_in, team):
    response = client_in.post("/teams/shopteam/", {"action": "add", "username": "nobody", "role": "member"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ['no user "nobody"']


def test_another_teams_page_is_not_found(client, team, django_user_model):
    client.force_login(django_user_model.objects.create_user("eve", password="x"))
    assert client.get("/teams/shopteam/").status_code == 404


def test_token_show_regenerate_revoke(client_in, user):
    assert b"You have no token" in client_in.get("/account/token/").content
    client_in.post("/account/token/", {"action": "regenerate"})
    first = Token.objects.get(user=user).key
    assert first.encode() in client_in.get("/account/token/").content
    client_in.post("/account/token/", {"action": "regenerate"})
    assert Token.objects.get(user=user).key != first
    client_in.post("/account/token/", {"action": "revoke"})
    assert not Token.objects.filter(user=user).exists()
