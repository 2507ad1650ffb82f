"""The Helsinki defaults of the service directory (docs/domain.md, "Where counsellors refer
families"). Only the emergency number is given as certain: every other entry is marked
"verify before use" and has no phone number until an administrator checks it.

Seeded by a data migration and after ``flush``; only keys that are missing are added.
"""

from __future__ import annotations

from huoli.directory.models import search_texts

CITY = ["fi", "sv", "en"]
HEL = "https://www.hel.fi/"

# key, category, (name fi, sv, en), (description fi, sv, en), options
DEFAULTS = [
    (
        "child-welfare",
        "child_welfare",
        (
            "Lastensuojelu: ilmoitukset ja perhesosiaalityön neuvonta",
            "Barnskyddet: anmälningar och rådgivning inom familjesocialarbetet",
            "Child welfare: notifications and the family social work advice line",
        ),
        (
            "Lastensuojeluilmoitukset sekä neuvonta perheille ja ammattilaisille. Lastensuojelua voi konsultoida kertomatta lapsen nimeä.",
            "Barnskyddsanmälningar och rådgivning för familjer och yrkespersoner. Barnskyddet kan konsulteras utan att barnets namn nämns.",
            "Child-welfare notifications and advice for families and professionals. Child welfare can be consulted without naming the child.",
        ),
        {"web_address": HEL, "accepts_anonymous": True, "ages_served": "0–17"},
    ),
    (
        "social-crisis-emergency",
        "crisis_emergency",
        (
            "Sosiaali- ja kriisipäivystys",
            "Social- och krisjouren",
            "Social and crisis emergency service",
        ),
        (
            "Ympärivuorokautinen apu äkillisissä kriiseissä ja sosiaalisissa hätätilanteissa.",
            "Hjälp dygnet runt vid akuta kriser och sociala nödsituationer.",
            "Help around the clock in sudden crises and social emergencies.",
        ),
        {"web_address": HEL, "opening_hours": "24/7", "accepts_anonymous": True},
    ),
    (
        "family-counselling-clinic",
        "family_counselling",
        ("Perheneuvola", "Familjerådgivningen", "Family counselling clinic"),
        (
            "Tukea lapsiperheille kasvatukseen, lapsen kehitykseen ja perheen ristiriitoihin. Ei lähetettä.",
            "Stöd för barnfamiljer i fostran, barnets utveckling och konflikter i familjen. Ingen remiss.",
            "Support for families with children in upbringing, a child's development and family conflicts. No referral needed.",
        ),
        {"web_address": HEL, "ages_served": "0–17"},
    ),
    (
        "youth-clinic",
        "youth_clinic",
        ("Nuorisoasema", "Ungdomsstationen", "Youth clinic"),
        (
            "Apua nuorille ja heidän läheisilleen päihde- ja mielenterveyshuoliin.",
            "Hjälp för unga och deras närstående vid rusmedels- och psykiska problem.",
            "Help for young people and those close to them with substance use and mental health worries.",
        ),
        {"web_address": HEL, "ages_served": "13–23"},
    ),
    (
        "mental-health-points",
        "mental_health",
        (
            "Matalan kynnyksen mielenterveyspisteet (13 vuotta täyttäneille)",
            "Lågtröskelpunkter för psykisk hälsa (från 13 år)",
            "Low-threshold mental health points (ages 13 and up)",
        ),
        (
            "Keskusteluapua ilman ajanvarausta tai lähetettä.",
            "Samtalsstöd utan tidsbokning eller remiss.",
            "Someone to talk to without an appointment or a referral.",
        ),
        {"web_address": HEL, "ages_served": "13+"},
    ),
    (
        "school-welfare",
        "school",
        (
            "Kouluterveydenhoitaja, koulukuraattori ja koulupsykologi",
            "Skolhälsovårdare, skolkurator och skolpsykolog",
            "School nurse, school counsellor and school psychologist",
        ),
        (
            "Oppilaan oma koulu: terveydenhoitaja, kuraattori ja psykologi tukevat oppilasta ja perhettä.",
            "Elevens egen skola: hälsovårdaren, kuratorn och psykologen stöder eleven och familjen.",
            "The pupil's own school: the nurse, counsellor and psychologist support the pupil and the family.",
        ),
        {"web_address": HEL, "ages_served": "7–18"},
    ),
    (
        "youth-services",
        "youth_services",
        (
            "Nuorisopalvelut ja nuorisotyö",
            "Ungdomstjänster och ungdomsarbete",
            "Youth services and youth work",
        ),
        (
            "Nuorisotalot, etsivä nuorisotyö ja ohjaamo: turvallinen aikuinen nuoren arkeen.",
            "Ungdomsgårdar, uppsökande ungdomsarbete och Navigatorn: en trygg vuxen i den ungas vardag.",
            "Youth centres, outreach youth work and guidance: a safe adult in a young person's everyday life.",
        ),
        {"web_address": HEL, "accepts_anonymous": True, "ages_served": "10–29"},
    ),
    (
        "anchor-team",
        "police_prevention",
        (
            "Ankkuritiimi: poliisi, sosiaalityö ja psykiatrinen sairaanhoito",
            "Ankarteamet: polis, socialarbete och psykiatrisk vård",
            "Multi-agency prevention team (police, social workers, psychiatric nurse)",
        ),
        (
            "Moniammatillinen tiimi, joka puuttuu varhain nuorten rikoksiin ja väkivaltaiseen radikalisoitumiseen.",
            "Ett mångprofessionellt team som ingriper tidigt i ungas brott och våldsbejakande radikalisering.",
            "A multi-agency team that steps in early with young people's offences and violent radicalisation.",
        ),
        {"web_address": "https://poliisi.fi/", "ages_served": "0–29"},
    ),
    (
        "police-prevention",
        "police_prevention",
        (
            "Poliisin ennalta estävä toiminta",
            "Polisens förebyggande verksamhet",
            "Police prevention unit",
        ),
        (
            "Poliisin ennalta estävä yksikkö. Välittömässä vaarassa soita 112.",
            "Polisens förebyggande enhet. Vid överhängande fara, ring 112.",
            "The police prevention unit. In imminent danger, call 112.",
        ),
        {"web_address": "https://poliisi.fi/", "public": True},
    ),
    (
        "exit-programme",
        "exit_programme",
        (
            "Exit-ohjelma väkivaltaisista liikkeistä irtautuville",
            "Exitprogram för den som vill lämna en våldsbejakande rörelse",
            "Exit programme for people leaving violent movements",
        ),
        (
            "Luottamuksellista tukea ihmiselle, joka haluaa irtautua väkivaltaisesta ääriliikkeestä, ja hänen läheisilleen.",
            "Konfidentiellt stöd för den som vill lämna en våldsbejakande extremistisk rörelse och för hens närstående.",
            "Confidential support for a person who wants to leave a violent extremist movement, and for those close to them.",
        ),
        {"accepts_anonymous": True},
    ),
    (
        "crisis-line",
        "crisis_line",
        (
            "Kriisipuhelin ja kriisikeskukset",
            "Kristelefonen och kriscentren",
            "Crisis line and crisis centres",
        ),
        (
            "Mielenterveysjärjestön kriisipuhelin ja kriisikeskukset: keskusteluapua nimettömänä.",
            "Mentalvårdsorganisationens kristelefon och kriscenter: samtalsstöd anonymt.",
            "The mental-health organisation's crisis line and crisis centres: someone to talk to, anonymously.",
        ),
        {"web_address": "https://mieli.fi/", "accepts_anonymous": True},
    ),
    (
        "faith-networks",
        "faith",
        (
            "Uskonnolliset yhteisöt ja uskontojen väliset ennaltaehkäisyn verkostot",
            "Trossamfund och interreligiösa nätverk för förebyggande arbete",
            "Religious communities and interfaith prevention networks",
        ),
        (
            "Yhteisöjen edustajia, jotka tukevat perheitä ja nuoria uskon ja ääriajattelun kysymyksissä.",
            "Företrädare för samfund som stöder familjer och unga i frågor om tro och extremism.",
            "Community representatives who support families and young people with questions of faith and extremism.",
        ),
        {},
    ),
    (
        "legal-aid",
        "legal_aid",
        ("Oikeusapu", "Rättshjälp", "Legal aid"),
        (
            "Julkinen oikeusapu ja neuvonta oikeudellisissa kysymyksissä.",
            "Allmän rättshjälp och rådgivning i rättsliga frågor.",
            "Public legal aid and advice on legal questions.",
        ),
        {"web_address": "https://oikeus.fi/"},
    ),
    (
        "grief-support",
        "grief",
        ("Suru- ja menetystuki", "Stöd vid sorg och förlust", "Grief and bereavement support"),
        (
            "Tukea perheille, joiden läheinen on kadonnut tai kuollut, myös asiakirja-asioissa.",
            "Stöd för familjer vars närstående har försvunnit eller dött, också med dokument.",
            "Support for families whose relative has gone missing or died, including help with records.",
        ),
        {"accepts_anonymous": True},
    ),
    (
        "emergency-112",
        "emergency",
        ("Hätänumero 112", "Nödnumret 112", "Emergency number 112"),
        (
            "Kun henki, terveys, omaisuus tai ympäristö on välittömässä vaarassa.",
            "När liv, hälsa, egendom eller miljön är i omedelbar fara.",
            "When life, health, property or the environment is in immediate danger.",
        ),
        {
            "phone": "112",
            "web_address": "https://112.fi/",
            "opening_hours": "24/7",
            "accepts_anonymous": True,
            "verify_before_use": False,
            "verified": True,
        },
    ),
]


def seed_default_services(service_model, today) -> int:
    """Add the default services whose key is missing; returns how many were added."""
    known = set(service_model.objects.values_list("key", flat=True))
    added = 0
    for key, category, names, descriptions, options in DEFAULTS:
        if key in known:
            continue
        options = dict(options)
        verified = options.pop("verified", False)
        service = service_model(
            key=key,
            category=category,
            name_fi=names[0], name_sv=names[1], name_en=names[2],
            description_fi=descriptions[0], description_sv=descriptions[1],
            description_en=descriptions[2],
            municipality="Helsinki",
            languages_served=list(CITY),
            verify_before_use=options.pop("verify_before_use", True),
            last_verified=today if verified else None,
            **options,
        )  # fmt: skip
        service.name_text, service.search_text = search_texts(service)
        service.save()
        added += 1
    return added
