"""The department portal (``chitieu serve``): sign in, upload a form, read the verdict, see the history."""
