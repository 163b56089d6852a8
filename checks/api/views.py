"""POST /api/v1/query: the stateless query document (interfaces.md)."""

from __future__ import annotations

from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kubenet_site.semantics import query

from .parsers import RawDocumentParser, TextYAMLDocumentParser, XYAMLDocumentParser, YAMLDocumentParser


class QueryView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [RawDocumentParser, YAMLDocumentParser, XYAMLDocumentParser, TextYAMLDocumentParser]

    def post(self, request):
        try:
            document = query.load_document_text(request.data)
            answer = query.run(document)
        except query.QueryRefused as exc:
            return Response({"error": exc.error, "where": exc.where}, status=400)
        return Response(answer)
