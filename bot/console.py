"""The console channel: chat with the same core in a terminal, no Telegram token needed."""

from __future__ import annotations

import getpass
import logging
import sys
import time
from pathlib import Path
from typing import TextIO

from bot.assistant import Assistant
from bot.guides.engine import Engine, load_guides
from bot.guides.flow import (
    BACK,
    CANCEL,
    MENU_GUIDES,
    RESUME,
    RETRY,
    GuideFlow,
    parse_callback,
    wants_resume,
)
from bot.handoff import SEND
from bot.outlets.lookups import POSTER_PREFIX
from bot.render import label, plain, render
from bot.reply import FEEDBACK, GUIDE, OUTLET_NAME, PROMPT_TTL, SOURCE, Reply
from bot.storage.database import user_key
from bot.text import looks_like_question

log = logging.getLogger(__name__)
GUIDE_COMMANDS = {"/injury": "injury", "/assess": "assess"}


class Console:
    def __init__(self, assistant: Assistant, out: TextIO = sys.stdout):
        self.assistant = assistant
        self.out = out
        self.user = user_key(assistant.config.user_salt, "console", getpass.getuser())
        self.buttons: list[tuple[str, str]] = []
        self.flow = GuideFlow(Engine(load_guides(assistant.config.faq_dir)))
        self.session: dict | None = None  # the guide in progress, if any
        self.last_answer: str | None = None  # the entry /source shows: the last answer's
        self.prompt_until = 0.0  # the outlet prompt waits for a name until then (monotonic)

    def show(self, reply: Reply) -> None:
        print("\n" + plain(reply.text), file=self.out)
        if reply.document:
            print("\n" + render("console_file", path=self._save(*reply.document)), file=self.out)
        self.buttons = reply.buttons
        self.last_answer = next(
            (d[len(SOURCE) :] for _, d in reply.buttons if d.startswith(SOURCE)), self.last_answer
        )
        for i, (text, _) in enumerate(reply.buttons, 1):
            print(f"  [{i}] {text}", file=self.out)
        if reply.buttons:
            print(label("console_pick"), file=self.out)
        print(file=self.out)

    def _save(self, name: str, content: bytes) -> Path:
        folder = self.assistant.config.output_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(content)
        return path.resolve()

    def handle(self, line: str) -> Reply:
        """One line typed by the user -> the reply; an outlet prompt waits for the next line only
        (anything else — a command, a button, a question — drops it)."""
        waiting, self.prompt_until = time.monotonic() < self.prompt_until, 0.0
        desk = self.assistant.outlets
        if waiting and desk.answers_prompt(line) and not self._button(line.strip()):
            reply = desk.lookup(line.strip(), self.user, "console")
        else:
            reply = self._dispatch(line)
        if reply.expects == OUTLET_NAME:
            self.prompt_until = time.monotonic() + PROMPT_TTL
        return reply

    def _button(self, text: str) -> bool:
        # ASCII and short: '²'.isdigit() is True but int('²') fails, as does int() of 5000 digits.
        return (
            text.isascii()
            and text.isdigit()
            and len(text) <= 3
            and 1 <= int(text) <= len(self.buttons)
        )

    def _dispatch(self, line: str) -> Reply:
        text = line.strip()
        if self._button(text):
            return self.press(self.buttons[int(text) - 1][1])
        command, _, arg = text.partition(" ")
        if command in GUIDE_COMMANDS:
            return self.start_guide(GUIDE_COMMANDS[command])
        outlet_reply = self.assistant.outlets.console(self.user, text)  # /outlet /premium /stats
        if outlet_reply is not None:
            return outlet_reply
        reply = self._command(command, arg)
        if reply is not None:  # mid-guide too: answered, and the guide waits (继续？)
            return self._paused(reply) if self.session is not None else reply
        if self.session is not None:
            return self.guide_input(text)
        return self.assistant.ask(text, self.user)

    def _command(self, command: str, arg: str) -> Reply | None:
        if command == "/start" and arg.strip().startswith(POSTER_PREFIX):  # a poster's link
            welcome = self.assistant.welcome(self.user)
            return self.assistant.outlets.from_poster(arg.strip(), self.user, welcome)
        if command in ("/start", "/menu"):
            return self.assistant.welcome(self.user)
        if command == "/help":
            return self.assistant.help()
        if command == "/source":
            return self.source(arg.strip() or self.last_answer)
        if command == "/benefit":
            return self.assistant.benefit(arg)
        if command == "/reload":  # the operator's own terminal: no admin check
            return self.assistant.reload()
        if command == "/region":
            if arg.strip():
                return self.assistant.set_region(self.user, arg.strip())
            return self.assistant.region_menu(self.user)
        return None

    def _paused(self, reply: Reply) -> Reply:
        assert self.session is not None  # called mid-guide
        paused = self.flow.paused(self.session)
        reply.text += "\n\n" + paused.text
        reply.buttons += paused.buttons
        return reply

    def source(self, entry_id: str | None) -> Reply:
        """/source [id]: the original text behind the last answer (or the entry named)."""
        reply = self.assistant.original(entry_id) if entry_id else None
        return reply or Reply(render("source_none"))

    def press(self, data: str) -> Reply:
        if data in MENU_GUIDES:
            return self.start_guide(MENU_GUIDES[data])
        if self.session is not None and data.startswith(GUIDE):
            return self.guide_input(data)
        if data == SEND and self.assistant.handoff is not None:  # no officials' chat here
            return self.assistant.handoff.console_ticket(self.user)
        if data.startswith(FEEDBACK):  # the operator's own votes would count as a courier's
            return Reply(render("console_vote"))
        return self.assistant.callback(data, self.user)

    def start_guide(self, guide_id: str) -> Reply:
        reply, self.session = self.flow.start(guide_id)
        return reply

    def guide_input(self, text: str) -> Reply:
        session = self.session
        assert session is not None  # callers check that a guide is in progress
        if text in ("/cancel", CANCEL):
            reply, self.session = self.flow.cancel(session), None
            return reply
        if text in ("/back", BACK):
            back = self.flow.back(session)
            assert back is not None  # the console's own session is never stale
            return back
        if text == RESUME or wants_resume(text):
            resumed = self.flow.resume(session)
            assert resumed is not None  # the console's own session is never stale
            return resumed
        parsed = parse_callback(text)
        step, value = parsed if parsed else (None, text)
        reply, new = self.flow.answer(session, value, step_id=step)
        if reply.intent == RETRY and looks_like_question(text):
            answer = self.assistant.ask(text, self.user)
            if answer.match is not None and answer.match.answered:  # a question, mid-guide
                title, number = self.flow.where(session)
                answer.text += "\n\n" + render("guide_still", title=title, number=number)
                return answer
        self.session = new
        return reply

    def run(self, lines: TextIO = sys.stdin) -> None:
        self.show(self.assistant.welcome(self.user))
        print(label("console_hint"), file=self.out)
        interactive = lines.isatty()
        while True:
            if interactive:
                print(label("console_prompt"), end="", file=self.out, flush=True)
            line = lines.readline()
            if not line or line.strip() in ("/quit", "/exit"):
                print(label("console_bye"), file=self.out)
                return
            if not interactive:
                print(label("console_prompt") + line.rstrip(), file=self.out)
            try:
                reply = self.handle(line)
            except Exception:  # one bad line must not end the chat; the log has the cause
                log.exception("console input failed")
                reply = Reply(render("error"))
            self.show(reply)


def inputs(arg: str):
    """The one argument, or with '-' each non-empty line of stdin (the CLI's batch mode)."""
    if arg != "-":
        yield arg
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")
