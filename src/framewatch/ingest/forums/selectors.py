"""Where each forum engine keeps posts, authors, times and quotes: CSS selectors as plain data.

Supporting a new engine, or a theme that moved something, means editing this table, not the parser.
A *pick* says how to read one value: `css` (a selector relative to the current node; absent = the
node itself), `attr` (read an attribute instead of the visible text) and `re` (keep group 1 of the
first match). A field lists picks in order of preference; the first one that yields a value wins.

Fields per engine:
- `generator`: regex on `<meta name="generator">`; `markers`: selectors only that engine's markup has.
- `thread_title`, `page_url` (the page's canonical URL), `thread_url` (a link to the thread itself):
  picks on the whole page; `page_suffix`: regex removed from the page URL when the page has no
  thread link, so that every page of a thread gets the same thread id.
- `post`: one node per post; `post_id`, `author`, `published`, `permalink`: picks on it;
  `permalink_template`: the post URL built from `{thread_url}` and `{post_id}` when none is linked.
- `body`: the post's own content; `strip`: chrome inside it (signatures, edit notes, expand links).
- `embeds`: `[selector, attribute]` pairs: a rendered preview replaced by the URL the author wrote.
- `quote`: quote blocks inside the body; `quote_author`, `quote_post_id`, `quote_published`,
  `quote_url` (link to the quoted post): picks on the quote; `quote_body`: its content (absent =
  the block itself); `quote_strip`: its header chrome.
"""

from __future__ import annotations

from typing import Any

_OG_TITLE = {"css": "meta[property='og:title']", "attr": "content"}
_CANONICAL = [
    {"css": "link[rel='canonical']", "attr": "href"},
    {"css": "meta[property='og:url']", "attr": "content"},
]

ENGINE_SELECTORS: dict[str, dict[str, Any]] = {
    "mybb": {
        "generator": r"\bMyBB\b",
        "markers": ["div.post_body[id^='pid_']", "a[href*='mybb.com']"],
        "thread_title": [{"css": ".navigation span.active"}, _OG_TITLE, {"css": "title"}],
        "page_url": _CANONICAL,
        "page_suffix": r"[?&]page=\d+",
        "post": "div.post[id^='post_']",
        "post_id": [{"attr": "id", "re": r"^post_(\d+)$"}],
        "author": [{"css": ".post_author .largetext a"}, {"css": ".post_author strong"}],
        "published": [{"css": ".post_date", "re": r"^\s*(.+?)\s*(?:\(This post was last modified.*)?$"}],
        "permalink": [{"css": ".post_head .float_right a[href*='pid=']", "attr": "href"}],
        "body": "div.post_body",
        "strip": [".post_edit", ".signature"],
        "quote": "blockquote.mycode_quote",
        "quote_author": [{"css": "cite", "re": r"^(?:\([^)]*\))?\s*(.+?)\s+Wrote:"}],
        "quote_post_id": [{"css": "a.quick_jump", "attr": "href", "re": r"pid=(\d+)"}],
        "quote_published": [{"css": "cite > span", "re": r"\(([^)]+)\)"}],
        "quote_url": [{"css": "a.quick_jump", "attr": "href"}],
        "quote_strip": ["cite"],
    },
    "phpbb": {
        "generator": r"\bphpBB\b",
        "markers": ["body#phpbb", "div.post[id^='p'] div.postbody"],
        "thread_title": [{"css": "h2.topic-title a"}, {"css": "h2.topic-title"}, _OG_TITLE],
        "page_url": _CANONICAL,
        "thread_url": [{"css": "h2.topic-title a", "attr": "href"}],
        "page_suffix": r"[?&]start=\d+",
        "post": "div.post[id^='p']",
        "post_id": [{"attr": "id", "re": r"^p(\d+)$"}],
        "author": [{"css": "p.author a.username"}, {"css": "p.author a.username-coloured"},
                   {"css": "dl.postprofile a.username"}],
        "published": [{"css": "p.author time", "attr": "datetime"}, {"css": "p.author time"}],
        "permalink": [{"css": "h3 a[href*='#p']", "attr": "href"}],
        "body": "div.content",
        "strip": [".signature", ".notice"],
        "quote": "blockquote",
        "quote_author": [{"css": "cite > a[href*='mode=viewprofile']"},
                         {"css": "cite", "re": r"^\s*(.+?)\s+(?:wrote|написал\(а\)|написал):"}],
        "quote_post_id": [{"css": "cite a[data-post-id]", "attr": "data-post-id"},
                          {"attr": "cite", "re": r"[?&]p=(\d+)"}],
        "quote_published": [{"css": "cite span.responsive-hide"}],
        "quote_url": [{"css": "cite a[data-post-id]", "attr": "href"}, {"attr": "cite"}],
        "quote_strip": ["cite"],
    },
    "xenforo": {
        "generator": r"\bXenForo\b",
        "markers": ["html#XF", "article.message--post", "[data-xf-init]"],
        "thread_title": [{"css": "h1.p-title-value"}, _OG_TITLE],
        "page_url": _CANONICAL,
        "thread_url": [{"css": "article.message--post meta[itemprop='parentItem']", "attr": "itemid"}],
        "page_suffix": r"page-\d+/?$",
        "post": "article.message--post",
        "post_id": [{"attr": "data-content", "re": r"^post-(\d+)$"}, {"attr": "id", "re": r"(\d+)$"}],
        "author": [{"attr": "data-author"}, {"css": "h4.message-name .username"}],
        "published": [{"css": ".message-attribution-main time", "attr": "datetime"},
                      {"css": ".message-attribution-main time"}],
        "permalink": [{"css": ".message-attribution-main a[href*='/post-']", "attr": "href"}],
        "body": "article.message-body .bbWrapper",
        "strip": [".js-selectToQuoteEnd", ".bbCodeBlock-expandLink", ".message-lastEdit"],
        "quote": "blockquote.bbCodeBlock--quote",
        "quote_author": [{"attr": "data-quote"}, {"css": ".bbCodeBlock-sourceJump", "re": r"^(.+?)\s+said:"}],
        "quote_post_id": [{"attr": "data-source", "re": r"post:\s*(\d+)"}],
        "quote_published": [],
        "quote_url": [{"css": ".bbCodeBlock-sourceJump", "attr": "href"}],
        "quote_body": ".bbCodeBlock-expandContent",
        "quote_strip": [".bbCodeBlock-title", ".bbCodeBlock-expandLink"],
    },
    "vbulletin": {
        "generator": r"\bvBulletin\b",
        "markers": ["li.postcontainer[id^='post_']", "div[id^='post_message_']"],
        "thread_title": [{"css": "span.threadtitle a"}, {"css": "#pagetitle h1"}, _OG_TITLE, {"css": "title"}],
        "page_url": _CANONICAL,
        "thread_url": [{"css": "span.threadtitle a", "attr": "href"}],
        "page_suffix": r"[?&]page=\d+",
        "post": "li.postcontainer[id^='post_']",
        "post_id": [{"attr": "id", "re": r"^post_(\d+)$"}],
        "author": [{"css": ".username_container .username"}, {"css": ".username_container .username.guest"}],
        "published": [{"css": ".posthead .postdate .date"}],
        "permalink": [{"css": ".nodecontrols a.postcounter", "attr": "href"}],
        "body": "div[id^='post_message_'] blockquote.postcontent",
        "strip": [".signaturecontainer"],
        "quote": "div.bbcode_container > div.bbcode_quote",
        "quote_author": [{"css": ".bbcode_postedby strong"}],
        "quote_post_id": [{"css": ".bbcode_postedby a[href]", "attr": "href", "re": r"[?&]p=(\d+)"}],
        "quote_published": [],
        "quote_url": [{"css": ".bbcode_postedby a[href]", "attr": "href"}],
        "quote_body": ".message",
        "quote_strip": [".bbcode_postedby"],
    },
    "discourse": {
        "generator": r"\bDiscourse\b",
        "markers": ["div.crawler-post", "meta[name='discourse_theme_id']"],
        "thread_title": [{"css": "#topic-title h1"}, _OG_TITLE, {"css": "title"}],
        "page_url": _CANONICAL,
        "thread_url": [{"css": "#topic-title h1 a", "attr": "href"}],
        "page_suffix": r"\?page=\d+$",
        "post": "div.crawler-post",
        "post_id": [{"attr": "id", "re": r"^post_(\d+)$"},
                    {"css": "span[itemprop='position']", "re": r"^(\d+)$"}],
        "author": [{"css": ".creator [itemprop='name']"}, {"css": ".creator a"}],
        "published": [{"css": "time[itemprop='datePublished']", "attr": "datetime"},
                      {"css": "time.post-time", "attr": "datetime"}, {"css": "time.post-time"}],
        "permalink": [],
        "permalink_template": "{thread_url}/{post_id}",
        "body": "div.post[itemprop='text']",
        "strip": [],
        "embeds": [["aside.onebox", "data-onebox-src"]],
        "quote": "aside.quote",
        "quote_author": [{"attr": "data-username"}, {"css": ".title", "re": r"^\s*(.+?):\s*$"}],
        "quote_post_id": [{"attr": "data-post"}],
        "quote_published": [],
        "quote_url": [],
        "quote_body": "blockquote",
        "quote_strip": [".title"],
    },
}

# Engines in the order they are tried when no generator tag settles it.
DETECTION_ORDER = ("xenforo", "discourse", "vbulletin", "phpbb", "mybb")
