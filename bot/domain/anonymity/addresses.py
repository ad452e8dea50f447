"""Street addresses in the common written forms of the bot's nine languages.

An address is a street word ("Street", "ул.", "вулиця", "Cad.", "küçəsi", "Οδός", "պողոտա",
"شارع", "רחוב" ...) together with a street name and a house number, in the order the language
writes them, plus what usually follows (building, apartment, floor):

- en: "12 Baker Street", "221B Baker St., flat 3", "Baker Street 12"
- ru/uk: "ул. Ленина, д. 5, кв. 3", "улица Ленина 5", "вулиця Шевченка 10", "д. 5, кв. 3"
- tr/az: "Atatürk Cad. No: 15 Daire 4", "Nizami küçəsi 5, mənzil 12"
- el: "Οδός Ερμού 25", "Λεωφόρος Αλεξάνδρας 12"
- hy: "Մաշտոցի պողոտա 12", "Աբովյան փողոց 5, բն. 4"
- ar: "شارع الحمراء 12", "١٢ شارع الحمراء" ; he: "רחוב הרצל 12", "ברחוב דיזנגוף 50"

The number is what makes it an address: "we walked down Baker Street", "на улице было холодно",
"شارع مزدحم" stay. Street names must start with a capital letter in the scripts that have one,
so "the street 5 people crossed" stays too. Addresses without a street word ("Ερμού 25", a postal
code alone) are not recognised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# A house number: "12", "12a", "12/3", "221B", "5-7", Arabic-Indic digits (\d is Unicode).
_NUMBER = r"\d{1,5}(?:\s?[A-Za-zА-Яа-яЁёІіЇїЄє](?![\w]))?(?:[/-]\d{1,5}[A-Za-zА-Яа-я]?)?"
# Capitalised words of a street name in Latin, Cyrillic, Greek or Armenian, with inner hyphens,
# apostrophes and dots ("М.", "Sv.", "Ататюрк", "O'Connell", "Ulu-Cami").
_CAPITAL = r"(?:[A-ZÀ-ÞĀ-ſƏİА-ЯЁІЇЄҐΆ-ΏΑ-ΩԱ-Ֆ][\w'’.-]*)"
_NAME = rf"{_CAPITAL}(?:\s+{_CAPITAL}){{0,3}}"
_GAP = r"\s*,?\s*"

_EN_TYPES = (
    r"Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|Way|"
    r"Place|Pl\.?|Square|Sq\.?|Court|Ct\.?|Terrace|Crescent|Close|Highway|Hwy\.?|Parkway|Row"
)
# After the name and before the number only words that cannot end an ordinary phrase ("First
# Place 2", "Front Row 5" stay).
_EN_TYPES_BEFORE_NUMBER = (
    r"Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Highway|Hwy\.?"
)
# After a number and a capitalised word, "Court", "Close" and "Row" are too often not a street
# ("2 Supreme Court cases").
_EN_TYPES_AFTER_NUMBER = "|".join(
    kind for kind in _EN_TYPES.split("|") if kind not in {"Court", r"Ct\.?", "Close", "Row"}
)
_EN_UNIT = r"(?:,?\s*(?i:apt\.?|apartment|flat|suite|unit|floor|fl\.?|#)\s*\d{1,4}[A-Za-z]?)?"

# Russian and Ukrainian street words in the cases they take after a preposition.
_EAST_SLAVIC_TYPES = (
    r"ул\.|улиц[аеуы]|пр-т|пр\.|просп\.|проспект[аеу]?|пер\.|переул(?:ок|ке|ка)|"
    r"б-р|бул\.|бульвар[аеу]?|пл\.|площад[ьи]|площа|шоссе|наб\.|набережн(?:ая|ой|ую|а)|"
    r"проезд[аеу]?|туп\.|тупик[аеу]?|мкр\.|микрорайон[аеу]?|вул\.|вулиц[яіюі]|пров\.|"
    r"провул(?:ок|ку|ка)|проспект"
)
_EAST_SLAVIC_HOUSE = r"(?:(?i:д\.|дом|буд\.|будинок|№)\s*)?"
_EAST_SLAVIC_REST = (
    r"(?:,?\s*(?i:корп\.|корпус|к\.|стр\.|строение|секц\.)\s*\d{1,4}[а-яА-Я]?)?"
    r"(?:,?\s*(?i:кв\.|квартира|кв|оф\.|офис|офіс)\s*\d{1,5})?"
)

_TURKIC_TYPES = (
    r"Cad\.?|Caddesi|Cd\.?|Sok\.?|Sokak|Sokağı|Sk\.?|Bulvarı|Blv\.?|Bulv\.?|Mahallesi|Mah\.?|"
    r"Mh\.?|küçəsi|küç\.|prospekti|pr\.|döngəsi|bulvarı|meydanı|şossesi|Küçəsi|Prospekti|"
    r"Meydanı|Caddesi'nde|Sokağı'nda"
)
_TURKIC_HOUSE = r"(?:(?i:no|№|ev|bina)\s*[:.]?\s*)?"
_TURKIC_REST = r"(?:\s*[/,]?\s*(?i:daire|d\.|d:|kat|k\.|mənzil|mən\.|m\.)\s*[:.]?\s*\d{1,4})*"

_GREEK_TYPES = r"(?i:οδός|οδος|οδό|οδο|οδ\.|λεωφόρος|λεωφορος|λεωφόρο|λεωφ\.|πλατεία|πλατεια)"
_ARMENIAN_TYPES = r"(?:փողոց|փ\.|պողոտա|պող\.|նրբանցք|նրբ\.|հրապարակ|թաղամաս|խճուղի)[ա-ֆ]*"
_ARMENIAN_REST = r"(?:,?\s*(?:բն\.|բնակարան)\s*\d{1,4})?"

# Arabic and Hebrew have no capitals: words that cannot be (the start of) a street name stop the
# match instead ("في الشارع كان 5 أشخاص", "ברחוב היו 5 אנשים" are no addresses).
_ARABIC_STOP = (
    "كان|كانت|كانوا|يوجد|توجد|فيه|فيها|هناك|هنا|مع|من|في|على|الى|إلى|عن|هذا|هذه|جدا|كل|"
    "لا|لم|لن|قد|ثم|او|أو|و|بعد|قبل|عند|حتى|مزدحم|طويل|واسع|جميل"
)
_HEBREW_STOP = (
    "היו|היה|הייתה|יש|אין|עם|של|הזה|הזאת|ההוא|שלנו|שלי|אחד|אחת|כל|לא|גם|רק|מאוד|היום|"
    "אתמול|אחרי|לפני|עד|כמו|ארוך|יפה|ריק|מלא"
)
_ARABIC_WORD = r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF][\u0621-\u065F\u066E-\u06FF]*"
_ARABIC_NAME_WORD = rf"(?!(?:{_ARABIC_STOP})(?![\w])){_ARABIC_WORD}"
_ARABIC_NAME = rf"{_ARABIC_NAME_WORD}(?:\s+{_ARABIC_NAME_WORD}){{0,3}}?"
_ARABIC_HOUSE = r"(?:(?:رقم|بناية|مبنى|عمارة)\s*)?"
_HEBREW_WORD = r"[\u05D0-\u05EA][\u05D0-\u05EA\u05F3\u05F4'\"]*"
_HEBREW_NAME_WORD = rf"(?!(?:{_HEBREW_STOP})(?![\w])){_HEBREW_WORD}"
_HEBREW_NAME = rf"{_HEBREW_NAME_WORD}(?:\s+{_HEBREW_NAME_WORD}){{0,2}}?"
_HEBREW_TYPES = r"(?:[ובל]?ב?)?(?:רחוב|רח['׳]|שדרות|שד['׳]|שד\.|סמטת|כיכר)"
_HEBREW_REST = r"(?:,?\s*(?:דירה|דיר['׳])\s*\d{1,4})?"

_PATTERNS = (
    # en: "12 Baker Street", "221B Baker St. flat 3"
    rf"(?<![\w.]){_NUMBER}\s+{_NAME}\s+(?i:{_EN_TYPES_AFTER_NUMBER})(?![\w])(?:\.)?{_EN_UNIT}",
    # en: "Baker Street 12"
    rf"(?<![\w]){_NAME}\s+(?i:{_EN_TYPES_BEFORE_NUMBER})(?![\w]){_GAP}(?i:no\.?\s*)?{_NUMBER}(?![\w]){_EN_UNIT}",
    # ru/uk: "ул. Ленина, д. 5, кв. 3", "вулиця Шевченка 10"
    rf"(?<![\w])(?i:{_EAST_SLAVIC_TYPES})(?![\w])\s*{_NAME}{_GAP}{_EAST_SLAVIC_HOUSE}"
    rf"{_NUMBER}(?![\w]){_EAST_SLAVIC_REST}",
    # ru/uk: "Ленина ул., 5"
    rf"(?<![\w]){_NAME}\s+(?i:ул\.|вул\.|пр-т|просп\.|пер\.){_GAP}{_EAST_SLAVIC_HOUSE}"
    rf"{_NUMBER}(?![\w]){_EAST_SLAVIC_REST}",
    # ru/uk without a street: "д. 5, кв. 3", "буд. 10 кв. 4"
    r"(?<![\w])(?i:д\.|дом|буд\.|будинок)\s*\d{1,4}[а-яА-Я]?,?\s*(?i:кв\.|квартира|кв)\s*\d{1,5}",
    # tr/az: "Atatürk Cad. No: 15", "Nizami küçəsi 5, mənzil 12"
    rf"(?<![\w]){_NAME}\s+(?:{_TURKIC_TYPES})(?![\w]){_GAP}{_TURKIC_HOUSE}{_NUMBER}(?![\w])"
    rf"{_TURKIC_REST}",
    # el: "Οδός Ερμού 25"
    rf"(?<![\w]){_GREEK_TYPES}(?![\w])\s*{_NAME}{_GAP}(?:(?i:αρ\.|αριθμός)\s*)?{_NUMBER}(?![\w])",
    # hy: "Մաշտոցի պողոտա 12"
    rf"(?<![\w]){_NAME}\s+{_ARMENIAN_TYPES}(?![\w]){_GAP}(?:(?:տուն|շենք|հ\.)\s*)?{_NUMBER}"
    rf"(?![\w]){_ARMENIAN_REST}",
    # ar: "شارع الحمراء 12", "شارع الحمراء رقم 12", "١٢ شارع الحمراء"
    rf"(?<![\w])[وب]?(?:ال)?شارع\s+{_ARABIC_NAME}{_GAP}{_ARABIC_HOUSE}{_NUMBER}(?![\w])",
    rf"(?<![\w]){_ARABIC_HOUSE}{_NUMBER}\s+(?:[وب]?(?:ال)?شارع)\s+{_ARABIC_WORD}",
    # he: "רחוב הרצל 12", "ברחוב דיזנגוף 50 דירה 3"
    rf"(?<![\w]){_HEBREW_TYPES}\s*{_HEBREW_NAME}{_GAP}(?:מס['׳]\s*)?{_NUMBER}(?![\w]){_HEBREW_REST}",
)
_ADDRESS = re.compile("|".join(f"(?:{pattern})" for pattern in _PATTERNS))


def address_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where street addresses occur in ``text``, as (start, end) offsets."""
    if not any(ch.isdigit() for ch in text):
        return  # every recognised form has a house number
    for match in _ADDRESS.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in ",;:":
            end -= 1
        yield start, end
