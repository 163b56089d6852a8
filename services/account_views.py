"""A team's members and roles, and the user's API token (one per user, as DRF's tokens are)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from rest_framework.authtoken.models import Token

from .models import Membership, Team


class MembershipForm(forms.Form):
    username = forms.CharField()
    role = forms.ChoiceField(choices=Membership.ROLE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["role"].widget.attrs["class"] = "form-select form-select-sm"

    def clean_username(self) -> str:
        name = self.cleaned_data["username"]
        if not get_user_model().objects.filter(username=name).exists():
            raise forms.ValidationError(f'no user "{name}"')
        return name


def team_or_404(request: HttpRequest, name: str) -> Team:
    teams = Team.objects.all() if request.user.is_superuser else Team.objects.filter(memberships__user=request.user)
    team = teams.filter(name=name).first()
    if team is None:
        raise Http404(f'team "{name}" not found')
    return team


@login_required
def team_detail(request: HttpRequest, team: str) -> HttpResponse:
    """Members and roles: add, change a role, remove (the teams issue adds who may)."""
    obj = team_or_404(request, team)
    form = MembershipForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add" and form.is_valid():
            user = get_user_model().objects.get(username=form.cleaned_data["username"])
            Membership.objects.update_or_create(team=obj, user=user, defaults={"role": form.cleaned_data["role"]})
            messages.success(request, f"{user} is now {form.cleaned_data['role']} of {obj}.")
            return redirect(reverse("team-detail", args=[obj.name]))
        if action in ("role", "remove"):
            membership = obj.memberships.filter(pk=request.POST.get("membership")).first()
            if membership is None:
                raise Http404("no such membership")
            with transaction.atomic():
                if action == "remove":
                    membership.delete()
                    messages.success(request, f"{membership.user} removed from {obj}.")
                elif request.POST.get("role") in dict(Membership.ROLE_CHOICES):
                    membership.role = request.POST["role"]
                    membership.save(update_fields=["role"])
                    messages.success(request, f"{membership.user} is now {membership.role} of {obj}.")
            return redirect(reverse("team-detail", args=[obj.name]))
    return render(request, "services/team_detail.html", {
        "team": obj, "form": form, "roles": Membership.ROLE_CHOICES,
        "memberships": obj.memberships.select_related("user").order_by("user__username"),
        "topologies": obj.topologies.all()})


@login_required
def account_token(request: HttpRequest) -> HttpResponse:
    """Show, regenerate or revoke the user's API token."""
    if request.method == "POST":
        action = request.POST.get("action")
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            if action == "regenerate":
                Token.objects.create(user=request.user)
                messages.success(request, "A new token was made; the old one no longer works.")
            else:
                messages.success(request, "Your token was revoked.")
        return redirect(reverse("account-token"))
    token = Token.objects.filter(user=request.user).first()
    return render(request, "services/account_token.html", {"token": token})
