"""Pages of a renamed topology redirect to its new name (interfaces.md "Pages")."""

from __future__ import annotations

from django.http import HttpResponseRedirect

from .views import TopologyMoved


class TopologyMovedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, TopologyMoved):
            return HttpResponseRedirect(exception.url)
        return None
