"""The production launcher refuses to start with settings that cannot be production."""

from prm_app.serve import missing_settings

GOOD = {
    "REFLEX_DB_URL": "postgresql+psycopg://prm@db/prm",
    "REFLEX_REDIS_URL": "redis://cache:6379/0",
    "REFLEX_API_URL": "https://prm.example.com",
    "PRM_ALLOWED_ORIGINS": "https://prm.example.com",
}


def test_complete_settings_pass():
    assert missing_settings(GOOD) == []


def test_each_missing_setting_is_named():
    for name in GOOD:
        problems = missing_settings({k: v for k, v in GOOD.items() if k != name})
        assert len(problems) == 1 and problems[0].startswith(name)


def test_any_origin_and_sqlite_are_refused():
    problems = missing_settings(
        {**GOOD, "PRM_ALLOWED_ORIGINS": "https://a.example,*", "REFLEX_DB_URL": "sqlite:///x.db"}
    )
    assert [p.split(":")[0] for p in problems] == ["PRM_ALLOWED_ORIGINS", "REFLEX_DB_URL"]
