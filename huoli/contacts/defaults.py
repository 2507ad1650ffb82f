"""The default lists of a contact record, from docs/domain.md (Finnish, Swedish, English).

Seeded by a data migration and again after every ``flush`` (post_migrate), adding only the
entries whose code is missing: administrators rename, reorder and retire entries, and
entries are never deleted, so nothing they changed is undone.
"""

# kind: [(code, Finnish, Swedish, English), ...]
DEFAULTS = {
    "contact_type": [
        ("about_someone", "Huoli toisesta ihmisestä", "Oro för någon annan", "About someone else"),
        (
            "about_oneself",
            "Oma tilanne (irtautuminen)",
            "Den egna situationen (att lämna)",
            "About oneself (wants to leave a movement)",
        ),
        (
            "information",
            "Vain tieto- tai koulutuspyyntö",
            "Endast informations- eller utbildningsbegäran",
            "Information or training request only",
        ),
        (
            "non_counselling",
            "Ei neuvontaa (hiljainen, katkennut, testi, asiaton, väärä numero)",
            "Ingen rådgivning (tyst, avbrutet, test, kränkande, fel nummer)",
            "Non-counselling (silent, hang-up, test, abusive, wrong number)",
        ),
    ],
    "contacting": [
        ("mother", "Äiti", "Mamma", "Mother"),
        ("father", "Isä", "Pappa", "Father"),
        ("guardian", "Muu huoltaja", "Annan vårdnadshavare", "Other guardian"),
        ("sibling", "Sisarus", "Syskon", "Sibling"),
        ("partner", "Kumppani", "Partner", "Partner"),
        ("grandparent", "Isovanhempi", "Mor- eller farförälder", "Grandparent"),
        ("relative", "Muu sukulainen", "Annan släkting", "Other relative"),
        ("friend", "Ystävä", "Vän", "Friend"),
        ("self", "Henkilö itse", "Personen själv", "The person themselves"),
        (
            "school",
            "Opettaja tai koulun henkilöstö",
            "Lärare eller skolpersonal",
            "Teacher or school staff",
        ),
        (
            "youth_social",
            "Nuoriso- tai sosiaalityöntekijä",
            "Ungdoms- eller socialarbetare",
            "Youth or social worker",
        ),
        (
            "child_welfare",
            "Lastensuojelun työntekijä",
            "Barnskyddsarbetare",
            "Child-welfare worker",
        ),
        (
            "health",
            "Terveydenhuollon työntekijä",
            "Hälso- och sjukvårdspersonal",
            "Health-care worker",
        ),
        (
            "reception",
            "Vastaanottokeskuksen työntekijä",
            "Personal vid förläggning",
            "Reception-centre staff",
        ),
        ("employer", "Työnantaja", "Arbetsgivare", "Employer"),
        (
            "volunteer",
            "Uskonnollisen yhteisön, urheilu- tai järjestövapaaehtoinen",
            "Frivillig i trossamfund, idrott eller förening",
            "Faith community, sports or civic volunteer",
        ),
        ("professional", "Muu ammattilainen", "Annan yrkesperson", "Other professional"),
        ("unknown", "Ei tiedossa", "Okänt", "Unknown"),
    ],
    "age_band": [
        ("under_13", "alle 13", "under 13", "under 13"),
        ("13_15", "13–15", "13–15", "13–15"),
        ("16_17", "16–17", "16–17", "16–17"),
        ("18_25", "18–25", "18–25", "18–25"),
        ("26_50", "26–50", "26–50", "26–50"),
        ("over_50", "yli 50", "över 50", "over 50"),
        ("unknown", "Ei tiedossa", "Okänt", "Unknown"),
    ],
    "gender": [
        ("female", "Tyttö tai nainen", "Flicka eller kvinna", "Girl or woman"),
        ("male", "Poika tai mies", "Pojke eller man", "Boy or man"),
        ("other", "Muu", "Annat", "Other"),
        ("unknown", "Ei tiedossa", "Okänt", "Unknown"),
    ],
    "municipality": [
        ("helsinki", "Helsinki", "Helsingfors", "Helsinki"),
        ("espoo", "Espoo", "Esbo", "Espoo"),
        ("vantaa", "Vantaa", "Vanda", "Vantaa"),
        ("kauniainen", "Kauniainen", "Grankulla", "Kauniainen"),
        ("other", "Muu kunta", "Annan kommun", "Other municipality"),
        ("unknown", "Ei tiedossa", "Okänt", "Unknown"),
    ],
    "concern": [
        (
            "islamist",
            "Islamistinen tai jihadistinen",
            "Islamistisk eller jihadistisk",
            "Islamist or jihadist",
        ),
        (
            "far_right",
            "Äärioikeisto (valkoinen ylivalta, identitaarinen, akselerationismi)",
            "Högerextremism (vit makt, identitär, accelerationism)",
            "Far right (white power, identitarian, accelerationist)",
        ),
        (
            "far_left",
            "Äärivasemmisto tai autonomit",
            "Vänsterextremism eller autonoma",
            "Far left or autonomous",
        ),
        (
            "conspiracy",
            "Salaliittouskomukset ja valtionvastaisuus",
            "Konspirationstro och statsfientlighet",
            "Conspiracy beliefs and anti-state ideas",
        ),
        (
            "antisemitism",
            "Antisemitismi tai konflikteihin liittyvä vihamielisyys",
            "Antisemitism eller konfliktrelaterad fientlighet",
            "Antisemitism or conflict-driven hostility",
        ),
        (
            "racism",
            "Rasismi ja vihamielisyys ryhmiä kohtaan",
            "Rasism och fientlighet mot grupper",
            "Racism and hostility to groups",
        ),
        (
            "violence",
            "Väkivallan ihannointi (kouluampumiset, incel)",
            "Fascination för våld (skolskjutningar, incel)",
            "Fascination with violence (school shootings, incel)",
        ),
        ("mixed", "Sekava tai epäselvä", "Blandad eller oklar", "Mixed or unclear"),
        (
            "conversion",
            "Uskonnollinen kääntyminen tai tiukka harjoittaminen ilman ääriajattelun merkkejä",
            "Religiös konvertering eller strikt utövning utan tecken på extremism",
            "Religious conversion or strict practice without signs of extremism",
        ),
        (
            "vulnerability",
            "Ei ideologiaa, vain haavoittuvuus",
            "Ingen ideologi, endast sårbarhet",
            "No ideology, vulnerability only",
        ),
        (
            "information",
            "Vain tietopyyntö",
            "Endast informationsbegäran",
            "Information request only",
        ),
    ],
    "stage": [
        (
            "change",
            "Muutos ajattelussa tai käytöksessä",
            "Förändring i åsikter eller beteende",
            "Change in views or behaviour",
        ),
        (
            "joined",
            "Liittynyt ryhmään tai toimintaan",
            "Anslutit sig till en grupp eller aktivism",
            "Joined a group or activism",
        ),
        ("planning_travel", "Suunnittelee matkaa", "Planerar att resa", "Planning to travel"),
        (
            "travelled",
            "Matkustanut konfliktialueelle",
            "Har rest till ett konfliktområde",
            "Has travelled to a conflict zone",
        ),
        (
            "detained",
            "Leirillä tai pidätettynä",
            "I läger eller frihetsberövad",
            "In a camp or detained",
        ),
        ("returned", "Palannut", "Har återvänt", "Has returned"),
        (
            "missing",
            "Kadonnut tai oletettavasti kuollut",
            "Försvunnen eller antagligen död",
            "Missing or presumed dead",
        ),
    ],
    "action": [
        ("listened", "Kuunneltu ja tuettu", "Lyssnat och stöttat", "Listened and supported"),
        ("information", "Annettu tietoa", "Gett information", "Gave information"),
        (
            "keeping_in_touch",
            "Neuvottu yhteyden pitämisessä",
            "Gett råd om att hålla kontakten",
            "Advised on keeping in touch with the person",
        ),
        (
            "return_code",
            "Annettu paluukoodi tai asianumero",
            "Gett returkod eller ärendenummer",
            "Gave a return code or case number for coming back",
        ),
        (
            "follow_up",
            "Sovittu jatkoyhteydenotosta",
            "Kommit överens om uppföljning",
            "Agreed a follow-up",
        ),
        (
            "face_to_face",
            "Tarjottu tapaamista",
            "Erbjudit personligt möte",
            "Offered face-to-face counselling",
        ),
        (
            "referral_made",
            "Ohjattu palveluun suostumuksella",
            "Hänvisat med samtycke",
            "Referral made with consent",
        ),
        (
            "referral_declined",
            "Ohjausta tarjottu, ei otettu vastaan",
            "Hänvisning erbjuden men avböjd",
            "Referral offered and declined",
        ),
        (
            "emergency_112",
            "Neuvottu soittamaan 112",
            "Rått att ringa 112",
            "Emergency number 112 advised",
        ),
        (
            "child_welfare",
            "Tehty lastensuojeluilmoitus",
            "Gjort barnskyddsanmälan",
            "Child-welfare notification made",
        ),
        (
            "police",
            "Ilmoitettu poliisille (välitön vaara)",
            "Informerat polisen (överhängande fara)",
            "Police informed (imminent danger)",
        ),
        ("closed", "Suljettu", "Avslutat", "Closed"),
    ],
    "heard_from": [
        ("internet", "Internethaku", "Internetsökning", "Internet search"),
        (
            "city",
            "Kaupungin verkkosivut tai palvelut",
            "Stadens webbplats eller tjänster",
            "City website or services",
        ),
        ("school", "Koulu", "Skola", "School"),
        (
            "health_social",
            "Terveys- tai sosiaalipalvelut",
            "Hälso- eller socialtjänster",
            "Health or social services",
        ),
        ("police", "Poliisi", "Polisen", "Police"),
        ("faith", "Uskonnollinen yhteisö", "Trossamfund", "Faith community"),
        ("friend_family", "Ystävä tai perhe", "Vän eller familj", "Friend or family"),
        ("media", "Media", "Media", "Media"),
        ("social_media", "Sosiaalinen media", "Sociala medier", "Social media"),
        ("partner", "Yhteistyöjärjestö", "Samarbetsorganisation", "Partner organisation"),
        ("other", "Muu", "Annat", "Other"),
    ],
}


def seed_default_lists(list_entry_model) -> int:
    """Add the default entries that are missing; returns how many were added."""
    added = 0
    for kind, entries in DEFAULTS.items():
        known = set(list_entry_model.objects.filter(kind=kind).values_list("code", flat=True))
        for position, (code, fi, sv, en) in enumerate(entries, start=1):
            if code not in known:
                list_entry_model.objects.create(
                    kind=kind, code=code, name_fi=fi, name_sv=sv, name_en=en, position=position * 10
                )
                added += 1
    return added
