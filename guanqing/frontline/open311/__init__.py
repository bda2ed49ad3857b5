"""Open311 GeoReport v2 at /open311/v2/: the problem catalogue as services, problems as service
requests, application keys (`keys`) issued and revoked by the system administrator."""
