"""Accounts: users with a role and scope, argon2 passwords, signed access tokens,
revocable API tokens, and the ``wenming users`` commands; the CLI acts with a user's
token under the same rules as the API, and ``--actor/--role`` only for the operator."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import wenming_water
from wenming.accounts import AccountError, AuthError
from wenming.accounts.service import Accounts
from wenming.accounts.tables import ApiToken, OperatorAct, User
from wenming.accounts.tokens import ACCESS_PREFIX, API_PREFIX
from wenming.api.testing import PASSWORD, cheap_hasher
from wenming.cli import cli
from wenming.orders.testing import Clock, make_workflow


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def accounts(wenming_database_url, clock):
    wf = make_workflow(wenming_database_url, [("water", wenming_water)], clock=clock)
    yield Accounts(wf.deployment, clock=clock, hasher=cheap_hasher())
    wf.deployment.close()


def test_a_user_maps_onto_the_workflow_actor(accounts):
    user = accounts.add("corps-lead", "team_leader", PASSWORD, team="water.corps")
    actor = user.actor()
    assert (actor.id, actor.role, actor.team, actor.department) == (
        "corps-lead",
        "team_leader",
        "water.corps",
        None,
    )
    desk = accounts.add("desk", "department_dispatcher", PASSWORD, department="water", area="32")
    assert desk.area is None, "a scope the role does not use is not kept"
    assert [u.username for u in accounts.users()] == ["corps-lead", "desk"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x y", "requester", PASSWORD), "username must be"),
        (("ann", "mayor", PASSWORD), "role must be one of"),
        (("ann", "team_leader", PASSWORD), "role team_leader needs a team"),
        (("ann", "station_operator", PASSWORD), "needs a area"),
        (("ann", "requester", "short"), "at least 10 characters"),
    ],
)
def test_bad_users_are_refused_naming_the_field(accounts, args, message):
    with pytest.raises(AccountError, match=message):
        accounts.add(*args)


def test_unknown_department_and_bad_area(accounts):
    with pytest.raises(AccountError, match="department 'fire' is not installed"):
        accounts.add("dd", "department_dispatcher", PASSWORD, department="fire")
    with pytest.raises(AccountError, match="area must be a division code"):
        accounts.add("ss", "station_operator", PASSWORD, area="huqiu")
    accounts.add("dup", "requester", PASSWORD)
    with pytest.raises(AccountError, match="user dup exists already"):
        accounts.add("dup", "requester", PASSWORD)


def test_passwords_are_stored_as_argon2_hashes_only(accounts):
    accounts.add("ann", "requester", PASSWORD)
    with accounts.storage.session() as s:
        stored = s.execute(select(User.__table__.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_returns_a_signed_token_that_authenticates(accounts):
    accounts.add("ann", "requester", PASSWORD)
    token, user = accounts.login("ann", PASSWORD)
    assert token.startswith(ACCESS_PREFIX) and user.username == "ann"
    assert accounts.authenticate(token).username == "ann"
    with pytest.raises(AuthError, match="wrong username or password"):
        accounts.login("ann", "not the password")
    with pytest.raises(AuthError, match="wrong username or password"):
        accounts.login("nobody", PASSWORD)


def test_tampered_and_foreign_tokens_are_refused(accounts, clock):
    user = accounts.add("ann", "requester", PASSWORD)
    token = accounts.access_token(user)
    body, mac = token[len(ACCESS_PREFIX) :].split(".")
    forged = ACCESS_PREFIX + body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + mac
    with pytest.raises(AuthError):
        accounts.authenticate(forged)
    other = make_workflow("sqlite://", [("water", wenming_water)], clock=clock)
    elsewhere = Accounts(other.deployment, clock=clock, hasher=cheap_hasher())
    with pytest.raises(AuthError, match="invalid access token"):
        elsewhere.authenticate(token)  # another deployment's secret


def test_access_tokens_expire(accounts, clock):
    user = accounts.add("ann", "requester", PASSWORD)
    token = accounts.access_token(user, minutes=30)
    clock.advance(minutes=29)
    assert accounts.authenticate(token).username == "ann"
    clock.advance(minutes=2)
    with pytest.raises(AuthError, match="expired"):
        accounts.authenticate(token)


def test_reset_role_change_and_revoke_end_old_tokens(accounts):
    user = accounts.add("ann", "station_operator", PASSWORD, area="320505001")
    token = accounts.access_token(user)
    accounts.set_role("ann", "station_operator", area="320506")
    with pytest.raises(AuthError, match="no longer valid"):
        accounts.authenticate(token)
    token, _ = accounts.login("ann", PASSWORD)
    assert accounts.authenticate(token).actor().area == "320506"
    accounts.reset_password("ann", "another long password")
    with pytest.raises(AuthError):
        accounts.authenticate(token)
    with pytest.raises(AuthError):
        accounts.login("ann", PASSWORD)
    token, _ = accounts.login("ann", "another long password")
    accounts.revoke("ann")
    with pytest.raises(AuthError):
        accounts.authenticate(token)
    with pytest.raises(AuthError, match="revoked"):
        accounts.login("ann", "another long password")
    assert accounts.users() == [] and accounts.users(include_revoked=True)[0].active is False


def test_api_tokens_are_stored_as_digests_and_revocable(accounts):
    accounts.add("bot", "city_dispatcher", PASSWORD)
    token, view = accounts.create_api_token("bot", "wechat mini-program")
    assert token.startswith(API_PREFIX) and len(token) > 40
    with accounts.storage.session() as s:
        rows = s.execute(select(ApiToken.__table__)).mappings().all()
    assert len(rows) == 1 and token not in json.dumps([dict(r) for r in rows], default=str)
    assert accounts.authenticate(token).username == "bot"
    accounts.revoke_token(view.id)
    with pytest.raises(AuthError, match="unknown or revoked API token"):
        accounts.authenticate(token)
    with pytest.raises(AccountError, match="not revoked already"):
        accounts.revoke_token(view.id)
    second, _ = accounts.create_api_token("bot", "console")
    accounts.revoke("bot")
    with pytest.raises(AuthError):
        accounts.authenticate(second)


# ---------------------------------------------------------------------- the command line


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in ("WENMING_ACTOR", "WENMING_ROLE", "WENMING_AREA", "WENMING_TEAM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("WENMING_DEPARTMENT", raising=False)
    monkeypatch.delenv("WENMING_TOKEN", raising=False)
    monkeypatch.setenv("WENMING_CONFIG_DIR", str(tmp_path / "config"))
    # cheap hashing for the CLI too, so the suite stays fast
    monkeypatch.setattr("wenming.accounts.service.default_hasher", cheap_hasher)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, stdin: str | None = None, env=None):
        result = runner.invoke(cli, list(args), input=stdin, env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    invoke("init", ".", "--name", "Suzhou")
    text = (tmp_path / "wenming.toml").read_text(encoding="utf-8")
    (tmp_path / "wenming.toml").write_text(
        text.replace("only = []", 'only = ["water"]'), encoding="utf-8"
    )
    return invoke


SUBMIT = [
    "order",
    "submit",
    "--place",
    "320505001002",
    "--site",
    "320505001002",
    "--start",
    "2023-07-10",
    "--category",
    "science",
    "--headcount",
    "30",
    "--json",
]


def _add(run, name, *scope):
    return run("users", "add", name, *scope, "--password-stdin", stdin=PASSWORD + "\n")


def test_users_commands(run):
    out = _add(run, "huqiu", "--role", "station_operator", "--area", "320505001").output
    assert "added huqiu: station_operator (area 320505001)" in out
    _add(run, "lead", "--role", "team_leader", "--team", "water.corps")
    listed = json.loads(run("users", "list", "--json").output)["users"]
    assert [(u["username"], u["role"]) for u in listed] == [
        ("huqiu", "station_operator"),
        ("lead", "team_leader"),
    ]
    assert "password" not in json.dumps(listed)
    out = run("users", "set-role", "lead", "--role", "team_leader", "--team", "water.other").output
    assert "lead is now team_leader (team water.other)" in out
    bad = run(
        "users", "add", "xy", "--role", "team_leader", "--password-stdin", stdin="p" * 12, code=1
    )
    assert "error: role team_leader needs a team" in bad.output
    token = json.loads(run("users", "token", "lead", "--name", "console", "--json").output)
    assert token["token"].startswith(API_PREFIX)
    assert "revoked API token" in run("users", "revoke", "--token", str(token["id"])).output
    run("users", "reset-password", "lead", "--password-stdin", stdin="a new long password\n")
    assert "revoked lead" in run("users", "revoke", "lead").output
    assert "[revoked]" in run("users", "list", "--all").output


def test_every_role_an_account_may_have_is_offered_on_the_command_line(run):
    """A volunteer signs in under their number (docs/api.md); a guide and the
    data-protection officer are accounts too."""
    assert "added 7: volunteer" in _add(run, "7", "--role", "volunteer").output
    _add(run, "dpo", "--role", "data_protection_officer")
    _add(run, "zhou", "--role", "guide", "--area", "320505001")
    listed = json.loads(run("users", "list", "--json").output)["users"]
    assert {u["username"]: u["role"] for u in listed} == {
        "7": "volunteer",
        "dpo": "data_protection_officer",
        "zhou": "guide",
    }


def test_the_cli_acts_with_a_users_token_under_its_rules(run, tmp_path):
    _add(run, "huqiu", "--role", "station_operator", "--area", "320505001")
    _add(run, "lead", "--role", "team_leader", "--team", "water.corps")
    _add(run, "rival", "--role", "team_leader", "--team", "water.water_classroom")
    out = run("users", "login", "huqiu", "--password-stdin", stdin=PASSWORD + "\n").output
    assert "signed in as huqiu (station_operator)" in out
    stored = (tmp_path / "config" / "tokens.json").read_text()
    assert PASSWORD not in stored
    order = json.loads(run(*SUBMIT).output)
    assert order["requester"] == "huqiu"
    oid = str(order["id"])
    run("dispatch", oid, "--resource", "water.corps", "--actor", "ops", "--role", "city_dispatcher")
    # another team's leader, signed in, cannot accept: the same refusal as the API's
    token = json.loads(run("users", "token", "rival", "--name", "t", "--json").output)["token"]
    refused = run("accept", oid, env={"WENMING_TOKEN": token}, code=1)
    assert "role team_leader (team water.water_classroom) may not accept" in refused.output
    lead = json.loads(run("users", "token", "lead", "--name", "t", "--json").output)["token"]
    accepted = run("accept", oid, "--json", env={"WENMING_TOKEN": lead})
    assert json.loads(accepted.output)["state"] == "accepted"
    # reads are scoped the same way: the rival team sees nothing, the corps its order
    assert json.loads(run("order", "list", "--json", env={"WENMING_TOKEN": token}).output) == []
    mine = json.loads(run("order", "list", "--json", env={"WENMING_TOKEN": lead}).output)
    assert [o["id"] for o in mine] == [order["id"]]
    shown = run("order", "show", oid, env={"WENMING_TOKEN": token}, code=1).output
    assert "role team_leader (team water.water_classroom) may not read order" in shown
    whoami = run("users", "whoami", env={"WENMING_TOKEN": lead}).output
    assert whoami.startswith("lead (team_leader, team water.corps)")
    both = run(
        "accept",
        oid,
        "--actor",
        "x",
        "--role",
        "city_dispatcher",
        env={"WENMING_TOKEN": lead},
        code=1,
    )
    assert "WENMING_TOKEN is set and --actor/--role are given" in both.output
    bad = run("accept", oid, env={"WENMING_TOKEN": "wmk_nonsense"}, code=1)
    assert "unknown or revoked API token" in bad.output
    run("users", "logout")
    nobody = run(*SUBMIT, code=1)
    assert "say who acts" in nobody.output and "wenming users login" in nobody.output


def test_the_operators_declared_acts_are_recorded(run, tmp_path):
    ops = ["--actor", "ops", "--role", "city_dispatcher"]
    order = json.loads(
        run(*SUBMIT, "--actor", "st-1", "--role", "station_operator", "--area", "320505001").output
    )
    run("dispatch", str(order["id"]), "--resource", "water.corps", *ops)
    _add(run, "lead", "--role", "team_leader", "--team", "water.corps")
    token = json.loads(run("users", "token", "lead", "--name", "t", "--json").output)["token"]
    run("accept", str(order["id"]), env={"WENMING_TOKEN": token})  # a user: not recorded
    from wenming.deployment import Deployment

    deployment = Deployment.from_file(tmp_path / "wenming.toml")
    with deployment.storage.session() as s:
        acts = s.execute(select(OperatorAct.__table__).order_by("id")).mappings().all()
    deployment.close()
    rows = [(a["actor"], a["role"], a["scope"], a["order_id"], a["seq"]) for a in acts]
    assert rows == [
        ("st-1", "station_operator", "area 320505001", None, None),  # the command
        ("st-1", "station_operator", "area 320505001", order["id"], 1),  # its submit event
        ("ops", "city_dispatcher", "", None, None),
        ("ops", "city_dispatcher", "", order["id"], 2),  # the dispatch event
    ]
    assert all(a["os_user"] and a["at"] <= dt.datetime.now(dt.UTC) for a in acts)
    assert "order submit" in acts[0]["command"]


def test_only_the_owner_of_the_secret_acts_as_the_operator(run, tmp_path, monkeypatch):
    (tmp_path / "wenming.secret").rename(tmp_path / "elsewhere.secret")
    monkeypatch.delenv("WENMING_SECRET", raising=False)
    out = run(*SUBMIT, "--actor", "ops", "--role", "city_dispatcher", code=1).output
    assert "--actor/--role is for the deployment's local operator" in out
    assert (
        "managing users is for the deployment's local operator"
        in run("users", "list", code=1).output
    )
    assert (
        "reading every order is for the deployment's local operator"
        in run("order", "list", code=1).output
    )


def test_passwords_and_tokens_never_reach_the_log(accounts, caplog):
    caplog.set_level("DEBUG")
    accounts.add("ann", "requester", PASSWORD)
    token, _ = accounts.login("ann", PASSWORD)
    api, _ = accounts.create_api_token("ann", "x")
    accounts.authenticate(token)
    accounts.authenticate(api)
    text = caplog.text
    assert PASSWORD not in text and token not in text and api not in text


def test_a_database_from_before_accounts_is_refused_with_the_fix(run, tmp_path):
    from sqlalchemy import text

    from wenming.deployment import Deployment

    deployment = Deployment.from_file(tmp_path / "wenming.toml")
    with deployment.storage.engine.begin() as conn:
        conn.execute(text("DROP TABLE wm_api_token"))
        conn.execute(text("DROP TABLE wm_user"))
    deployment.close()
    for command in (("users", "list"), ("serve", "--port", "1")):
        out = run(*command, code=1).output
        assert "has no accounts tables yet; run 'wenming init'" in out
    run("init", ".")
    assert "no users" in run("users", "list").output
