from bot.domain.people import display_name


def test_a_person_is_named_by_first_and_last_name_either_of_which_may_be_missing() -> None:
    assert display_name("Ani", "Petrosyan") == "Ani Petrosyan"
    assert display_name("Elvin", None) == "Elvin"
    assert display_name(None, "Aliyev") == "Aliyev"
    assert display_name("", None) == ""
