"""The console channel: chat with the same core in a terminal, no Telegram token needed."""
from __future__ import annotations

import getpass
import sys
from typing import TextIO

from bot.assistant import Assistant, Reply
from bot.render import plain
from bot.storage import user_key

PROMPT = "你> "


class Console:
    def __init__(self, assistant: Assistant, out: TextIO = sys.stdout):
        self.assistant = assistant
        self.out = out
        self.user = user_key(assistant.config.user_salt, "console", getpass.getuser())
        self.buttons: list[tuple[str, str]] = []

    def show(self, reply: Reply) -> None:
        print("\n" + plain(reply.text), file=self.out)
        self.buttons = reply.buttons
        for i, (label, _) in enumerate(reply.buttons, 1):
            print(f"  [{i}] {label}", file=self.out)
        if reply.buttons:
            print("  （输入编号选择）", file=self.out)
        print(file=self.out)

    def handle(self, line: str) -> Reply:
        """One line typed by the user -> the reply (commands, button numbers or a question)."""
        text = line.strip()
        command, _, arg = text.partition(" ")
        if command in ("/start", "/menu"):
            return self.assistant.welcome(self.user)
        if command == "/help":
            return self.assistant.help()
        if command == "/region":
            if arg.strip():
                return self.assistant.set_region(self.user, arg.strip())
            return self.assistant.region_menu(self.user)
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            return self.assistant.callback(self.buttons[int(text) - 1][1], self.user)
        return self.assistant.ask(text, self.user)

    def run(self, lines: TextIO = sys.stdin) -> None:
        self.show(self.assistant.welcome(self.user))
        print("（输入 /help 看用法，/quit 或 Ctrl-D 退出）", file=self.out)
        interactive = lines.isatty()
        while True:
            if interactive:
                print(PROMPT, end="", file=self.out, flush=True)
            line = lines.readline()
            if not line or line.strip() in ("/quit", "/exit"):
                print("再见，注意安全！", file=self.out)
                return
            if not interactive:
                print(PROMPT + line.rstrip(), file=self.out)
            self.show(self.handle(line))
