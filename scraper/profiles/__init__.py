"""Site profiles: URL shapes, scope, traps and pagination of one CMS."""
