import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.anonymity import (
    DEFAULT_PHONE_REGIONS,
    MAX_FREE_TEXT_LENGTH,
    AnonymityErrorCode,
    KnownNames,
    ScrubError,
    ScrubKind,
    scrub,
    spelled,
)

PEOPLE = [
    "Anna Petrova",
    "Иван Смирнов",
    "Արամ Սարգսյան",
    "Mehmet Yılmaz",
    "Νίκος Παπαδόπουλος",
    "أحمد",
    "דנה",
    "Ani",
    "Ара",
    "Маша",
    "Mark",
    "Tom",
    "cool_cat_99",
    "@ivan_s",
    "Yulia",
]
KNOWN = KnownNames.from_names(PEOPLE)


def scrubbed(text: str) -> str:
    return scrub(text, KNOWN).text


# --- length -----------------------------------------------------------------------------------


def test_text_over_the_limit_is_refused_before_scrubbing():
    with pytest.raises(ScrubError) as caught:
        scrub("a" * (MAX_FREE_TEXT_LENGTH + 1))
    assert caught.value.code == AnonymityErrorCode.TOO_LONG
    assert caught.value.params == {"length": 2001, "limit": 2000}


def test_text_at_the_limit_is_scrubbed():
    text = "x" * (MAX_FREE_TEXT_LENGTH - 16) + " a@example.com!"
    assert scrub(text).text.endswith(" [email]!")


# --- contact details --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to anna.p+feedback@example.co.uk please", "write to [email] please"),
        ("mail: ivan@почта.рф", "mail: [email]"),
        ("anna (at) mail.ru", "[email]"),
        ("x [at] gmail.com or y{at}yandex.ru", "[email] or [email]"),
    ],
)
def test_emails_are_replaced(text, expected):
    assert scrub(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.org/a?b=1.", "see [link]."),
        ("my channel t.me/somechannel, join", "my channel [link], join"),
        ("example.com/path and www.x.org!", "[link] and [link]!"),
        ("tg://resolve?domain=abc", "[link]"),
        ("(details at bit.ly/3xYz)", "(details at [link])"),
        ("сайт пример.рф", "сайт [link]"),
        ("insta: instagram.com/anna_p_99", "insta: [link]"),
    ],
)
def test_links_with_and_without_scheme_are_replaced(text, expected):
    assert scrub(text).text == expected


@pytest.mark.parametrize(
    "number",
    [
        "+374 91 234567",  # Armenia, international
        "055 123456",  # Armenia, local mobile
        "8 (912) 345-67-89",  # Russia, local with trunk 8
        "+7 912 345-67-89",
        "0532 123 45 67",  # Turkey, local
        "+90 532 123 45 67",
        "+994 50 123 45 67",  # Azerbaijan
        "067 123 4567",  # Ukraine, local
        "+30 691 234 5678",  # Greece
        "050-7654321",  # Israel, local
        "(212) 736-5000",  # United States, local
        "07911 123456",  # United Kingdom, local
        "+1 555 0100",  # fictional range, caught by the international-form safety net
        "374912345678",  # unformatted digits
    ],
)
def test_phone_numbers_are_replaced(number):
    result = scrub(f"call me on {number} tonight")
    assert result.text == "call me on [phone] tonight"
    assert result.counts_by_kind == {ScrubKind.PHONE: 1}


def test_local_formats_follow_the_given_regions():
    assert scrub("звони 055 123456", default_regions=("AM",)).text == "звони [phone]"
    assert scrub("звони 055 123456", default_regions=("GB",)).text == "звони 055 123456"


@pytest.mark.parametrize(
    "text",
    [
        "On 12.03.2024 at 18:00 we met for 90 minutes",
        "It cost 1 500 000 drams, room 101, years 1990-1995",
        "I rate it 4/5 and 9 out of 10",
        "Session 3 of 12 on 2026-03-10",
    ],
)
def test_numbers_that_are_not_phones_stay(text):
    assert scrub(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ask @someone_here later", "ask [@user] later"),
        ("(@Bob_1990)", "([@user])"),
        ("follow @anna.petrova.art now", "follow [@user] now"),
        ("at @ 5 o'clock, @ home", "at @ 5 o'clock, @ home"),
    ],
)
def test_usernames_are_replaced(text, expected):
    assert scrub(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "Good.It was fine, e.g. the tea, i.e. everything etc.",
        "Version 3.5 of the plan",
        "We met at 10 a.m. in the U.S. embassy",
    ],
)
def test_ordinary_punctuation_is_not_a_link(text):
    assert scrub(text).text == text


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Latin, with case differences and an English possessive
        ("anna said that ANNA's idea was good", "[name] said that [name]'s idea was good"),
        # Cyrillic, with Russian case endings
        ("Я говорил с Иваном и Анной, потом Ивану", "Я говорил с [name] и [name], потом [name]"),
        ("Смирнову и Смирнова", "[name] и [name]"),
        # Armenian with case endings, and in Latin transliteration
        ("Արամին ասացի, Արամը գիտի", "[name] ասացի, [name] գիտի"),
        ("Aram and Sargsyan", "[name] and [name]"),
        # Turkish suffixes with and without the apostrophe
        ("Mehmetin fikri ve Yılmaz'a sordum", "[name] fikri ve [name]'a sordum"),
        # Greek, accents ignored, genitive and vocative
        ("Ο Νικος και του Νίκου, Νίκο!", "Ο [name] και του [name], [name]!"),
        # Arabic, with attached prefixes and without the hamza
        ("قلت لأحمد، واحمد", "قلت [name]، [name]"),
        # Hebrew, with attached prefixes
        ("דיברתי עם דנה, ולדנה", "דיברתי עם [name], [name]"),
        # a first and last name together become one placeholder
        ("Anna Petrova helped", "[name] helped"),
        # zero-width characters do not hide a name
        ("An\u200bna came", "[name] came"),
    ],
)
def test_known_names_are_replaced_in_every_script(text, expected):
    assert scrubbed(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Анна была права", "[name] была права"),  # Latin "Anna" written in Cyrillic
        ("Ανna", "[name]"),  # mixed look-alike letters
        ("Юлия и Юля", "[name] и [name]"),  # Latin "Yulia"
        ("Աննա", "[name]"),  # Armenian spelling of Anna
        ("Nikos and Ahmet", "[name] and Ahmet"),  # Greek name in Latin letters
    ],
)
def test_known_names_are_found_across_scripts(text, expected):
    assert scrubbed(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The animal was animated",  # known "Ani"
        "Арарат виден отовсюду",  # known "Ара"
        "Машина опоздала",  # known "Маша"
        "The market and the annual fair",  # known "Mark", "Anna"
        "в том числе",  # known "Tom": short names are matched only in their own script
        "Ana dilimde konuştum",  # "Anna" and "Ana" differ
        "cool cat",  # parts of the handle cool_cat_99
    ],
)
def test_innocent_words_are_left_alone(text):
    assert scrubbed(text) == text


def test_known_handles_match_as_whole_tokens():
    assert (
        scrubbed("cool_cat_99 wrote, then @ivan_s and ivan_s")
        == "[name] wrote, then [@user] and [name]"
    )


def test_overlapping_matches_become_one_placeholder():
    result = scrub("write anna@example.com or t.me/ivan_s", KNOWN)
    assert result.text == "write [email] or [link]"
    assert result.counts_by_kind == {ScrubKind.EMAIL: 1, ScrubKind.LINK: 1}


def test_counts_by_kind_count_each_replacement():
    result = scrub("Anna: +374 91 234567, a@b.io, c@d.io, @someone_here", KNOWN)
    assert result.counts_by_kind == {
        ScrubKind.NAME: 1,
        ScrubKind.PHONE: 1,
        ScrubKind.EMAIL: 2,
        ScrubKind.USERNAME: 1,
    }
    assert result.changed


def test_a_plain_list_of_names_works_like_compiled_names():
    text = "Анной и Mehmet'e, 8 (912) 345-67-89"
    assert scrub(text, PEOPLE) == scrub(text, KNOWN)


def test_nothing_to_scrub_leaves_text_unchanged():
    result = scrub("Thank you, the discussion was fair and warm.", KNOWN)
    assert result.text == "Thank you, the discussion was fair and warm."
    assert not result.changed


letters = st.sampled_from(
    [
        "abcdefghijklmnopqrstuvwxyz",
        "абвгдежзиклмнопрстуфхцчшщыэюя",
        "աբգդեզէթժիլխծկհձղճմյնշչպջռսվտրցփքօֆ",
        "αβγδεζηθικλμνξοπρστυφχψω",
        "אבגדהוזחטיכלמנסעפצקרשת",
        "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    ]
).flatmap(lambda alphabet: st.text(alphabet, min_size=4, max_size=10))
filler = st.lists(
    st.sampled_from(["the", "was", "good", "и", "хорошо", "և", "και", "של", "في"]), max_size=6
)


@given(name=letters, before=filler, after=filler)
@settings(max_examples=120, deadline=None)
def test_a_known_name_never_survives(name, before, after):
    text = " ".join([*before, name.capitalize(), *after])
    result = scrub(text, [name])
    assert name.casefold() not in result.text.casefold()
    assert result.counts_by_kind.get(ScrubKind.NAME) == 1


@given(
    local=st.from_regex(r"[a-z][a-z0-9._]{0,12}[a-z0-9]", fullmatch=True),
    domain=st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True),
    tld=st.sampled_from(["com", "org", "am", "ru", "com.tr", "co.il"]),
)
@settings(max_examples=80, deadline=None)
def test_generated_emails_are_removed(local, domain, tld):
    result = scrub(f"contact {local}@{domain}.{tld}, thanks")
    assert result.text == "contact [email], thanks"


@given(text=st.text(st.sampled_from("abcdefg ABC абвгд ,;:!?-"), max_size=200))
@settings(max_examples=100, deadline=None)
def test_text_without_contacts_or_known_names_is_untouched(text):
    assert scrub(text).text == text


# --- phone numbers and e-mails spelled out in words ---------------------------------------------


@pytest.mark.parametrize(
    "spoken",
    [
        # en: digit by digit, "double"/"triple", tens, "oh" inside a run, mixed with digits
        "four one five five five five two three four eight",
        "four one five, five five five, double two three four",
        "plus three seven four, nine one, two three four, five six seven",
        "triple five, oh one two three four five six",
        "seven one eight - two twelve - thirty four fifty six",
        "+1 four one five 555 two three four eight",
        # ru: digit by digit, spoken in groups, with "плюс"
        "восемь девять один шесть три четыре пять шесть семь восемь девять",
        "плюс семь девятьсот шестнадцать триста сорок пять шестьдесят семь восемьдесят девять",
        "+7 916 сто двадцать три сорок пять шестьдесят семь",
        "восемь (девятьсот двенадцать) триста сорок пять - шестьдесят семь - восемьдесят девять",
        # uk, with apostrophes in the number words
        "нуль шість сім один два три чотири п'ять шість сім",
        "плюс тридцять вісім нуль шістдесят сім сто двадцять три сорок п’ять шістдесят сім",
        # tr and az
        "sıfır beş yüz otuz iki yüz yirmi üç kırk beş altmış yedi",
        "artı doksan beş yüz otuz iki bir iki üç dört beş altı yedi",
        "sıfır əlli bir iki üç dörd beş altı yeddi",
        "artı doqquz yüz doxsan dörd əlli bir iki üç qırx beş altmış yeddi",
        # ar, with و glued to a number word and Arabic-Indic digits mixed in
        "صفر خمسة صفر واحد اثنان ثلاثة أربعة خمسة ستة سبعة",
        "زائد تسعة سبعة اربعة خمسون ١٢٣ اربعة خمسة ستة سبعة",
        # he, el, hy
        "אפס חמש אפס שבע שש חמש ארבע שלוש שתיים אחת",
        "έξι εννέα ένα δύο τρία τέσσερα πέντε έξι εφτά οχτώ",
        "զրո ինը մեկ երկու երեք չորս հինգ վեց յոթ",
    ],
)
def test_phone_numbers_spelled_out_in_words_are_replaced(spoken):
    result = scrub(f"номер / number: {spoken}. Thanks")
    assert result.text == "номер / number: [phone]. Thanks"
    assert result.counts_by_kind == {ScrubKind.PHONE: 1}


@pytest.mark.parametrize(
    ("spoken", "digits"),
    [
        ("four one five five five five two three four", "415555234"),
        ("double two triple oh", "22000"),
        ("восемь девятьсот двенадцать триста сорок пять", "8912345"),
        ("сто пять двадцать", "10520"),
        ("beş yüz otuz iki", "532"),
        ("sıfır on bir", "011"),
        ("twenty one twenty", "2120"),
        ("خمسة وعشرين", "25"),
        ("עשרים ושלוש", "23"),
        ("plus seven 916", "+7916"),
    ],
)
def test_number_words_combine_as_they_are_spoken(spoken, digits):
    assert spelled.spoken_digits(spoken) == [digits]


def test_a_spelled_phone_must_be_a_valid_number_or_a_long_run():
    # 7 digits, valid nowhere among the regions: left alone; the same as a long run: removed.
    assert scrub("one two three four five six seven").text == "one two three four five six seven"
    assert scrub("one two three four five six seven eight nine").text == "[phone]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write john dot smith at gmail dot com please", "write [email] please"),
        ("j.smith at example dot co dot uk", "[email]"),
        ("anna at gmail.com", "[email]"),
        ("a_b at example.org", "[email]"),
        ("иван собака мэйл точка ру", "[email]"),
        ("ivan.petrov собака yandex.ru", "[email]"),
        ("пишіть olena крапка k равлик ukr крапка net", "пишіть [email]"),
        ("ivan@mail точка ru", "[email]"),
        ("mehmet et gmail nokta com", "[email]"),
        ("elvin et mail nöqtə az", "[email]"),
        ("ahmad ات gmail نقطة com", "[email]"),
        ("ahmad ات gmail دوت كوم", "[email]"),
        ("dana שטרודל walla נקודה co נקודה il", "[email]"),
        ("nikos παπάκι gmail τελεία com", "[email]"),
        ("aram շնիկ mail կետ ru", "[email]"),
        ("john (at) gmail (dot) com", "[email]"),
    ],
)
def test_emails_with_at_and_dot_spelled_out_are_replaced(text, expected):
    assert scrub(text).text == expected


# Ordinary sentences with numbers, number words and "at"/"dot" words: none is a contact.
INNOCENT = {
    "en": [
        "I gave it 5 out of 10, maybe six out of ten",
        "We met at 7 and left at nine thirty",
        "The 2 sides talked for two hours in 1994 style",
        "One, two, three people spoke, then four or five more",
        "In 1994 and 2004 we had twenty five participants",
        "Look at this: the dot on the map was our school",
        "I met him at school and we laughed at everything",
        "Session 3 of 12 on 2026-03-10 at 18:00",
        "Double the time, triple the fun, one hundred percent",
    ],
    "ru": [
        "Я поставил пять из десяти, а Лена семь",
        "Мы встретились в семь и ушли в девять",
        "Две стороны спорили три часа в 1994 году",
        "Один, два, три человека выступили",
        "Точка зрения собаки: у нас была собака",
        "Сорок пять минут, двадцать человек, сто процентов",
    ],
    "uk": [
        "Я дав п'ять з десяти, бо було сім учасників",
        "Ми зустрілися о сьомій, і це була крапка",
        "Дві сторони, три години, сто відсотків",
    ],
    "tr": [
        "On üzerinden beş verdim, bir iki kişi katıldı",
        "Saat yedide buluştuk, on dakika sonra gittik",
        "Bir nokta var: iki taraf üç saat konuştu",
        "Bir gün on kişi, yüz yıl sonra",
    ],
    "az": [
        "On üzərindən beş verdim, iki tərəf var idi",
        "Bir nöqtə: yeddi nəfər, doqquz saat",
    ],
    "ar": [
        "أعطيته خمسة من عشرة، وحضر سبعة أشخاص",
        "التقينا في الساعة سبعة، وهذه نقطة مهمة",
        "الطرفان اثنان تحدثا ثلاث ساعات",
    ],
    "he": [
        "נתתי חמש מתוך עשר, והיו שבעה משתתפים",
        "נפגשנו בשבע, זו נקודה חשובה",
    ],
    "el": [
        "Έδωσα πέντε στα δέκα, ήταν επτά άτομα",
        "Συναντηθήκαμε στις εφτά, μια τελεία",
    ],
    "hy": [
        "Տասից հինգ տվեցի, յոթ մարդ էր",
        "Հանդիպեցինք յոթին, մեկ կետ կա",
    ],
}


@pytest.mark.parametrize(
    "text", [text for texts in INNOCENT.values() for text in texts], ids=lambda text: text[:24]
)
def test_ordinary_sentences_with_numbers_and_at_words_are_untouched(text):
    assert scrub(text, KNOWN).text == text


def test_at_before_an_ordinary_domain_is_a_link_not_an_email():
    assert scrub("see more at example.com").text == "see more at [link]"
    assert scrub("details at bit.ly/3xYz").text == "details at [link]"


# --- street addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # en
        ("I live at 12 Baker Street, come by", "I live at [address], come by"),
        ("221B Baker St., flat 3 is mine", "[address] is mine"),
        ("my place: Baker Street 12", "my place: [address]"),
        ("at 1600 Pennsylvania Avenue everyone", "at [address] everyone"),
        # ru
        ("мой адрес ул. Ленина, д. 5, кв. 3, приходите", "мой адрес [address], приходите"),
        ("живу на улице Ленина 5", "живу на [address]"),
        ("проспект Мира, дом 10, корп. 2", "[address]"),
        ("пишите: д. 5, кв. 3", "пишите: [address]"),
        # uk
        ("вулиця Шевченка 10", "[address]"),
        ("вул. Хрещатик, буд. 22, кв. 7", "[address]"),
        # tr
        ("Atatürk Cad. No: 15 Daire 4", "[address]"),
        ("adresim Bağdat Caddesi No:120/3", "adresim [address]"),
        ("Gül Sokak 7", "[address]"),
        # az
        ("Nizami küçəsi 5, mənzil 12", "[address]"),
        ("Azadlıq prospekti 34", "[address]"),
        # el
        ("Οδός Ερμού 25", "[address]"),
        ("μένω στη Λεωφόρος Αλεξάνδρας 12", "μένω στη [address]"),
        # hy
        ("Մաշտոցի պողոտա 12", "[address]"),
        ("Աբովյան փողոց 5, բն. 4", "[address]"),
        # ar
        ("أسكن في شارع الحمراء 12", "أسكن في [address]"),
        ("شارع الملك فهد رقم 45", "[address]"),
        ("١٢ شارع الحمراء", "[address]"),
        # he
        ("אני גר ברחוב הרצל 12", "אני גר [address]"),
        ("רחוב דיזנגוף 50 דירה 3", "[address]"),
    ],
)
def test_street_addresses_are_replaced(text, expected):
    result = scrub(text)
    assert result.text == expected
    assert result.counts_by_kind == {ScrubKind.ADDRESS: 1}


@pytest.mark.parametrize(
    "text",
    [
        "We walked down Baker Street together",
        "The street had 5 shops and 2 cafes",
        "We took First Place 2 times, I sat in Front Row 5",
        "in 1994 the 2 sides met on Main Street",
        "на улице было холодно 5 дней",
        "на улице Ленина было 5 человек",
        "вулиця була гарна, 3 години",
        "Atatürk Caddesi çok güzeldi, 3 saat yürüdük",
        "Nizami küçəsində gəzdik",
        "Στην οδό Ερμού είχε κόσμο",
        "Մաշտոցի պողոտայում զբոսնեցինք",
        "الشارع مزدحم جدا",
        "في الشارع كان 5 أشخاص",
        "שדרות רוטשילד יפות",
        "ברחוב היו 5 אנשים",
        "We had 2 Supreme Court cases and 3 Close calls",
    ],
)
def test_street_words_without_a_house_number_stay(text):
    assert scrub(text).text == text


# --- names in their other spellings -------------------------------------------------------------


@pytest.mark.parametrize(
    ("enrolled", "written"),
    [
        # Cyrillic enrolment, Latin comment, under the usual schemes
        ("Юлия", "Yuliya"),  # BGN/PCGN, MVD 782
        ("Юлия", "Yulia"),  # Wikipedia
        ("Юлия", "Iuliia"),  # ICAO passports since 2013
        ("Юлия", "Julija"),  # GOST 16876 alternative
        ("Юлия", "Ûliâ"),  # ISO 9 / GOST 7.79
        ("Щербаков", "Shcherbakov"),
        ("Щербаков", "Shherbakov"),  # GOST 7.79 B
        ("Щербаков", "Ščerbakov"),
        ("Щербаков", "Scherbakov"),
        ("Хабаров", "Khabarov"),
        ("Хабаров", "Habarov"),
        ("Хабаров", "Xabarov"),
        ("Цветкова", "Tsvetkova"),
        ("Цветкова", "Cvetkova"),
        ("Зайцев", "Zaytsev"),
        ("Фёдор", "Fyodor"),
        ("Фёдор", "Fedor"),
        ("Екатерина", "Yekaterina"),
        ("Евгений", "Evgenii"),
        ("Евгений", "Yevgeniy"),
        ("Наталья", "Natalya"),
        ("Наталья", "Natal'ja"),
        ("Жуков", "Zhukov"),
        ("Олег", "Oleh"),  # Ukrainian г
        ("Хачатрян", "Khachatryan"),
        # Latin enrolment, Cyrillic comment
        ("Yuliya", "Юлия"),
        ("Iuliia", "Юлия"),
        ("Shcherbakov", "Щербаков"),
        ("Khabarov", "Хабаров"),
        ("Habarov", "Хабаров"),
        ("Tsvetkova", "Цветкова"),
        ("Fyodor", "Фёдор"),
        ("Yekaterina", "Екатерина"),
        ("Oleh", "Олег"),
        ("Olha", "Ольга"),
        ("Hanna", "Ганна"),
        ("Mykola", "Микола"),
        ("Yevhen", "Євген"),
        # Armenian and Greek, both ways
        ("Խաչատրյան", "Khachatryan"),
        ("Khachatryan", "Խաչատրյան"),
        ("Hakobyan", "Հակոբյան"),
        ("Γιώργος", "Giorgos"),
        ("Papadopoulou", "Παπαδοπούλου"),
        # Arabic and Hebrew enrolment, Latin comment
        ("أحمد", "Ahmed"),
        ("أحمد", "Ahmad"),
        ("محمد", "Mohammed"),
        ("محمد", "Muhammad"),
        ("فاطمة", "Fatima"),
        ("فاطمة", "Fatma"),
        ("خالد", "Khalid"),
        ("مصطفى", "Mustafa"),
        ("عبدالله", "Abdullah"),
        ("يوسف", "Yusuf"),
        ("وليد", "Waleed"),
        ("אברהם", "Avraham"),
        ("אברהם", "Abraham"),
        ("רחל", "Rachel"),
        ("יצחק", "Yitzhak"),
        ("יעקב", "Yaakov"),
    ],
)
def test_a_name_is_found_in_its_other_spellings(enrolled, written):
    result = scrub(f"Thanks to {written}, really", [enrolled])
    assert result.text == "Thanks to [name], really"


@pytest.mark.parametrize(
    ("enrolled", "written"),
    [
        ("Anna", "Анны"),  # Latin name, Russian genitive
        ("Anna", "Анною"),  # Ukrainian instrumental
        ("Лилит", "Лилиту"),
        ("Lilit", "Лилиту"),
        ("Yuliya", "Юлией"),
        ("Shcherbakov", "Щербакову"),
        ("Щербакова", "Щербаковой"),
        ("Oleh", "Олегу"),
        ("Mykola", "Миколі"),
    ],
)
def test_a_transliterated_name_is_found_in_its_case_forms(enrolled, written):
    assert scrub(f"Я говорил с {written} вчера", [enrolled]).text == "Я говорил с [name] вчера"


@pytest.mark.parametrize(
    ("enrolled", "text"),
    [
        ("Юлия", "In July we met, it was useful"),
        ("Щербаков", "The shopkeeper was kind"),
        ("Олег", "Ольга и Олеся пришли вовремя"),  # other names
        ("Oleh", "The olive oil was good"),
        ("Hanna", "Ганнибал был полководцем"),
        ("Fyodor", "Федеральный закон"),
        ("Tsvetkova", "Цветы были красивые"),
        ("Khachatryan", "Хачапури было вкусным"),
        ("سمير", "The summer was nice and the cream was fresh"),
        ("وليد", "A valid point, and a solid one"),
        ("נתן", "The nation and the notion"),
        ("حسن", "It hasn't rained, said Hasanov"),
        ("דנה", "I'm done, said the dean"),  # two consonants: own script only
        ("علي", "Ali, Eli and Lee"),
        ("أحمد", "Ahmet and Mehmet"),
        ("جمال", "The jam was good, mails came"),
    ],
)
def test_other_spellings_do_not_catch_ordinary_words(enrolled, text):
    assert scrub(text, [enrolled]).text == text


UNIT_WORDS = {
    "en": "zero one two three four five six seven eight nine".split(),
    "ru": "ноль один два три четыре пять шесть семь восемь девять".split(),
    "uk": "нуль один два три чотири п'ять шість сім вісім дев'ять".split(),
    "tr": "sıfır bir iki üç dört beş altı yedi sekiz dokuz".split(),
    "az": "sıfır bir iki üç dörd beş altı yeddi səkkiz doqquz".split(),
    "ar": "صفر واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة".split(),
    "he": "אפס אחת שתיים שלוש ארבע חמש שש שבע שמונה תשע".split(),
    "el": "μηδέν ένα δύο τρία τέσσερα πέντε έξι επτά οκτώ εννέα".split(),
    "hy": "զրո մեկ երկու երեք չորս հինգ վեց յոթ ութ ինը".split(),
}


@given(
    region=st.sampled_from(DEFAULT_PHONE_REGIONS),
    language=st.sampled_from(sorted(UNIT_WORDS)),
    data=st.data(),
)
@settings(max_examples=150, deadline=None)
def test_any_real_number_read_out_digit_by_digit_is_removed(region, language, data):
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    digits = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    pieces = []
    for ch in (ch for ch in digits if ch.isdigit()):
        # Each digit as a word or, now and then, as the digit itself.
        pieces.append(ch if data.draw(st.integers(0, 5)) == 0 else UNIT_WORDS[language][int(ch)])
        pieces.append(data.draw(st.sampled_from([" ", " ", ", ", "-", " - "])))
    spoken = "".join(pieces).strip(" ,-")
    result = scrub(f"contact: {spoken} (thanks)")
    assert result.text == "contact: [phone] (thanks)", spoken


def test_digits_typed_one_by_one_are_a_phone_but_a_few_ratings_are_not():
    assert scrub("call 0 7 7 1 2 3 4 5 6 now").text == "call [phone] now"
    assert (
        scrub("my ratings: 5 4 4 5 3, then 4 and 5").text == "my ratings: 5 4 4 5 3, then 4 and 5"
    )
