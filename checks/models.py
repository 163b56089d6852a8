"""The checks app's models come with check runs (a later issue); the app holds the import,
export and snapshot code that needs both Services and Ingresses."""
