"""The volunteers app on the web: a phone-first page for volunteers and
party members (``me``), and the community's screens (``staff``)."""
