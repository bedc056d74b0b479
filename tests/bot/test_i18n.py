from bot.i18n import LOCALES, catalog, placeholders, t


def test_every_key_exists_in_both_catalogs() -> None:
    ja, en = catalog("ja"), catalog("en")
    assert set(ja) == set(en), set(ja) ^ set(en)


def test_both_catalogs_use_the_same_placeholders_and_no_empty_text() -> None:
    for key, template in catalog("en").items():
        for locale in LOCALES:
            other = catalog(locale)[key]
            assert other.strip(), f"{locale}:{key} is empty"
            assert placeholders(other) == placeholders(template), f"{locale}:{key}"


def test_t_renders_values_and_falls_back_to_english() -> None:
    assert t("ja", "role.csm") == "CSM"
    assert t("en", "role.champion") == "Champion"
    assert t("fr", "role.champion") == "Champion"
