"""Every sub-command's --help explains it: walked from the parser, so a new command cannot skip it."""

import argparse

from crossbar_py import cli


def _commands(parser: argparse.ArgumentParser, prefix: tuple = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from _commands(sub, (*prefix, name))


def test_every_sub_command_has_a_description():
    commands = list(_commands(cli.parser.build()))
    assert len(commands) >= 5
    for name, sub in commands:
        assert sub.description and len(sub.description) > 40, f"crossbar-py {' '.join(name)} --help explains nothing"
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"{' '.join(name)} {action.option_strings[0]} has no help"
