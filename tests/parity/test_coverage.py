"""The parity cases cover every command of databricks-cli 0.18.0.

The command tree is read from the legacy CLI itself (its click groups, walked recursively,
hidden aliases included: a setup script may call `unity-catalog create-catalog` as well as
`unity-catalog catalogs create`), for both entry points, `databricks` and `dbfs`. A command
counts as covered when a case's argv (and its legacy_argv, if any) resolves to it through
that same tree and the case gets past argument parsing (a usage-error case never runs the
command). Commands that no case can run are listed in EXEMPT with the reason; an entry
that is covered after all, or that names no command, fails the check so that the list
cannot go stale.

Needs only the project venv (no emulator, no dbk binary): it runs in a second.
"""
import click
import pytest

from databricks_cli.cli import cli as legacy_cli
from databricks_cli.dbfs.cli import dbfs_group

from test_parity import CASES, Case

ROOTS = {"databricks": legacy_cli, "dbfs": dbfs_group}

# Command path -> why no parity case runs it. Keep it as short as the truth allows.
EXEMPT = {
}


def legacy_commands():
    """Every leaf command of the legacy CLI as a path of tokens."""
    found = []

    def walk(command, path):
        if isinstance(command, click.Group):
            ctx = click.Context(command, info_name=path[-1])
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), path + [name])
        else:
            found.append(" ".join(path))
    for root, group in ROOTS.items():
        walk(group, [root])
    return found


def resolve(argv):
    """The leaf command an argv runs, following the legacy tree token by token; None when a
    token before the leaf is not a subcommand (an option, a typo, a group alone)."""
    if not argv or argv[0] not in ROOTS:
        return None
    command, path = ROOTS[argv[0]], [argv[0]]
    for token in argv[1:]:
        if not isinstance(command, click.Group):
            break
        command = command.get_command(click.Context(command), token)
        if command is None:
            return None
        path.append(token)
    return None if isinstance(command, click.Group) else " ".join(path)


def covered(cases=CASES):
    """Command path -> names of the cases that run it."""
    result = {}
    for case in cases:
        if case.error == "usage" or "--help" in case.argv or "-h" in case.argv:
            continue
        path = resolve(list(case.argv))
        # Both CLIs must run the command: a legacy stand-in for another command does not count.
        if path and (case.legacy_argv is None or resolve(list(case.legacy_argv)) == path):
            result.setdefault(path, set()).add(case.name)
    return result


def test_legacy_tree_is_read():
    commands = legacy_commands()
    # A sanity floor: 0.18.0 has well over 200 leaf commands with its hidden aliases.
    assert len(commands) > 200, commands
    assert "databricks unity-catalog shares list" in commands
    assert "dbfs cp" in commands


def test_what_counts_as_covering():
    start = ["databricks", "clusters", "start", "--cluster-id", "c"]
    assert resolve(start) == "databricks clusters start"
    assert resolve(["databricks", "unity-catalog", "shares"]) is None  # a group, not a command
    assert resolve(["databricks", "--profile", "p", "jobs", "list"]) is None
    assert resolve(["dbfs", "no-such-command"]) is None
    assert "databricks clusters start" in covered([Case("a", start, out="none")])
    # A usage error never reaches the command; a legacy stand-in for another command
    # means dbk alone runs it.
    assert not covered([Case("b", start, error="usage", dbk_exit=2)])
    assert not covered([Case("c", start, legacy_argv=["databricks", "clusters", "list"])])


def test_every_case_names_a_command():
    unresolved = [c.name for c in CASES if resolve(list(c.argv)) is None]
    assert not unresolved, "cases whose argv runs no legacy command: %s" % unresolved


def test_every_legacy_command_is_covered():
    commands = legacy_commands()
    runs = covered()
    missing = [c for c in commands if c not in runs and c not in EXEMPT]
    if missing:
        pytest.fail("%d legacy commands have no parity case:\n  %s" % (
            len(missing), "\n  ".join(missing)), pytrace=False)


def test_exemptions_are_not_stale():
    commands = set(legacy_commands())
    runs = covered()
    unknown = sorted(c for c in EXEMPT if c not in commands)
    needless = sorted("%s (by %s)" % (c, ", ".join(sorted(runs[c]))) for c in EXEMPT
                      if c in runs)
    problems = ["not a legacy command: %s" % c for c in unknown]
    problems += ["exempt but covered: %s" % c for c in needless]
    assert not problems, "\n".join(problems)
