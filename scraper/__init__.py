"""Scrapy project: settings, spiders, site profiles, middlewares and the pure parsers."""
