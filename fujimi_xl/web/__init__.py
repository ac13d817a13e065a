"""The browser intake and the secretariat's board (issue 15): a thin shell over the API."""

from fujimi_xl.web.app import create_app

__all__ = ["create_app"]
