"""Services: the verbs of the system. They change data and flush; the request commits once."""
