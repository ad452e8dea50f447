async def test_start_without_invite_explains_how_to_join(tg, fake) -> None:
    ani = fake.user("Ani", language_code="en")
    await tg.start(ani)
    assert "open the invite link" in tg.last_text(fake.private(ani))
