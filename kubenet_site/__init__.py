"""kubenet: design and check Kubernetes service topologies.

The Celery app lives in `kubenet_site.celery` and is loaded by the `checks` app when Django
starts, so importing the engine (`kubenet_site.semantics`) pulls in neither Django nor Celery.
"""
