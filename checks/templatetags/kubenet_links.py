"""Template tags naming objects with links to their pages (checks.object_links)."""

from __future__ import annotations

from django import template

from checks.object_links import ObjectLinks

register = template.Library()


@register.simple_tag
def objlink(links: ObjectLinks | None, kind: str, key: str) -> str:
    """`{% objlink links "Service" "shop/api" %}`: the name, linked to its page."""
    return links.link(kind, key) if links is not None else key


@register.simple_tag
def addrlink(links: ObjectLinks | None, address: str) -> str:
    """`{% addrlink links "10.244.1.7:8080" %}`: the address and the pod behind it."""
    return links.address(address) if links is not None else address


@register.simple_tag
def targetlink(links: ObjectLinks | None, text: str) -> str:
    """`{% targetlink links "svc:shop/api:80/TCP" %}`: a query's from/to, linked."""
    return links.target(text) if links is not None else text


@register.filter
def get(mapping, key):
    """`{{ answer|get:"from" }}`: a key that is no Python name."""
    return mapping.get(key) if hasattr(mapping, "get") else None
