"""Registry: regions, zones, enterprises and institutions, and the certifications they hold."""
