"""Privacy toolkit: encrypted personal-data fields, blind indexes, coarsened public positions,
small-group suppression and the production key check. Every layer holding personal data (help
requests, volunteers) uses these, so there is one way to do each job."""
