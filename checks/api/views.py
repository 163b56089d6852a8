"""POST /api/v1/query: the stateless query document (interfaces.md); and the API's own 404."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from kubenet_site.semantics import query

from .base import ApiView
from .errors import ApiError
from .parsers import DOCUMENT_PARSERS
from .schema import documented


class QueryView(ApiView):
    parser_classes = DOCUMENT_PARSERS

    @documented("Answer a stateless query document (JSON or YAML)",
                request={"application/json": OpenApiTypes.OBJECT, "application/yaml": OpenApiTypes.STR},
                responses={200: OpenApiTypes.OBJECT}, examples=[
                    OpenApiExample("select", request_only=True, value={
                        "manifests": "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web},"
                                     " ports: [{port: 80}]}\n",
                        "queries": [{"kind": "select", "service": "default/web"}]}),
                    OpenApiExample("answer", response_only=True, value={
                        "answers": [{"kind": "select", "pods": []}], "diagnostics": []})])
    def post(self, request):
        try:
            document = query.load_document_text(request.data if isinstance(request.data, str) else "")
            answer = query.run(document)
        except query.QueryRefused as exc:
            return Response({"error": exc.error, "where": exc.where}, status=400)
        return Response(answer)


@extend_schema(exclude=True)
class NotFoundView(ApiView):
    """Any other address under /api/v1/: the API's error shape, not an HTML page."""

    permission_classes = [AllowAny]

    def http(self, request, *args, **kwargs):
        raise ApiError(404, f"no such address: {request.path}", None)

    get = post = put = patch = delete = head = options = http
