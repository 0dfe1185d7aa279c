"""The aiohttp web app: chair review pages, the web chat and the Telegram webhook."""
