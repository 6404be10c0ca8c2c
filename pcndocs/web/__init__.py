"""pcndocs in a browser: a guided form, live checks, previews and downloads (`pcndocs serve`)."""
