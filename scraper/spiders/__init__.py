"""Scrapy spiders; navigation only, extraction lives in scraper.parsers."""
