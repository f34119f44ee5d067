"""An ``OutgoingMessage`` as the Bot API call that sends it (PTB's typed methods)."""

from __future__ import annotations

from typing import Any

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)

from bot.services.outbox import OutgoingMessage


def _reply_markup(data: dict[str, Any]) -> Any:
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.de_json(data, None)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.de_json(data, None)
    if "remove_keyboard" in data:
        return ReplyKeyboardRemove.de_json(data, None)
    if "force_reply" in data:
        return ForceReply.de_json(data, None)
    raise ValueError("reply_markup of an unknown kind")


def _typed(params: dict[str, Any]) -> dict[str, Any]:
    """Bot API JSON parameters → PTB keyword arguments (what PTB has no name for stays raw)."""
    known = {"parse_mode", "protect_content", "disable_notification", "caption",
             "disable_web_page_preview"}  # fmt: skip
    kwargs: dict[str, Any] = {key: params.pop(key) for key in list(params) if key in known}
    if (markup := params.pop("reply_markup", None)) is not None:
        kwargs["reply_markup"] = _reply_markup(markup)
    if (preview := params.pop("link_preview_options", None)) is not None:
        kwargs["link_preview_options"] = LinkPreviewOptions.de_json(preview, None)
    if (reply := params.pop("reply_parameters", None)) is not None:
        kwargs["reply_parameters"] = ReplyParameters.de_json(reply, None)
    if params:
        kwargs["api_kwargs"] = params
    return kwargs


async def send_outgoing(
    bot: Bot, chat_id: int, message: OutgoingMessage, **options: Any
) -> Message:
    """Sends one ``OutgoingMessage`` now, through PTB's typed methods (and the rate limiter).

    ``options`` are PTB's per-call keywords (``rate_limit_args``, ``read_timeout``, …). A
    stored file is uploaded.
    """
    params = dict(message.params)
    if message.method == "sendMessage":
        text = params.pop("text")
        return await bot.send_message(chat_id, text, **options, **_typed(params))
    if message.method == "sendDocument":
        if message.file is not None:
            document: Any = InputFile(message.file.content, filename=message.file.name)
        else:
            document = params.pop("document")
        return await bot.send_document(chat_id, document, **options, **_typed(params))
    photo = params.pop("photo")
    return await bot.send_photo(chat_id, photo, **options, **_typed(params))
