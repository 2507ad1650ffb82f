"""The demo's made-up conversations and canned responses: what families, a teacher and a
youth worker might write, and what a counsellor might answer. Every person, place detail
and number in them is invented; 112 is the emergency number, quoted as counsellors do."""

from __future__ import annotations

from dataclasses import dataclass

VISITOR, COUNSELLOR = "v", "c"


@dataclass(frozen=True)
class Dialogue:
    kind: str  # "chat" or "message"
    language: str
    nickname: str
    contacting: str  # the code of the "who is contacting" list entry
    summary: str  # the counsellor's summary on the record (staff language)
    lines: tuple[tuple[str, str], ...]  # (VISITOR or COUNSELLOR, text)


DIALOGUES = [
    Dialogue(
        "chat", "fi", "Äiti", "mother",
        "Äiti huolissaan 16-vuotiaasta pojasta, joka katsoo romahdusvideoita ja vetäytyy. "
        "Puhuttu uteliaasta kysymisestä ja suhteen säilyttämisestä.",
        (
            (VISITOR, "Hei. En oikein tiedä, olenko oikeassa paikassa."),
            (COUNSELLOR, "Hei, hyvä että kirjoitit. Olet oikeassa paikassa. Kerro rauhassa, "
             "mikä sinua huolettaa."),
            (VISITOR, "Poikani on 16. Hän on viime kuukausina katsonut paljon videoita, joissa "
             "sanotaan, että yhteiskunta romahtaa pian ja siihen pitää valmistautua. Hän on "
             "vetäytynyt kavereistaan."),
            (COUNSELLOR, "Kuulostaa siltä, että olet seurannut tilannetta tarkasti. Miten hän "
             "reagoi, kun otat asian puheeksi?"),
            (VISITOR, "Hän suuttuu ja sanoo, etten ymmärrä mitään. Pelkään, että välimme "
             "menevät kokonaan."),
            (COUNSELLOR, "Tuo on tavallinen reaktio tuon ikäisellä. Usein auttaa, kun kysyy "
             "uteliaasti, mikä videoissa puhuttelee, eikä yritä heti kumota niitä. Suhteen "
             "säilyminen on nyt tärkeintä."),
            (VISITOR, "Tuo kuulostaa järkevältä. Voinko kirjoittaa uudelleen, jos tilanne "
             "muuttuu?"),
            (COUNSELLOR, "Totta kai. Paluukoodilla voit jatkaa tätä samaa keskustelua milloin "
             "vain."),
            (VISITOR, "Kiitos, tämä auttoi jo paljon."),
        ),
    ),
    Dialogue(
        "chat", "fi", "Opettaja", "school",
        "Yläkoulun opettaja: oppilas piirtää äärioikeistolaisia symboleja ja on yksinäinen. "
        "Ohjattu oppilashuoltoon, puheeksi ottaminen ilman syyllistämistä.",
        (
            (VISITOR, "Hei, olen opettaja yläkoulussa. Yksi oppilaani on alkanut piirtää "
             "vihkoonsa symboleja, jotka tunnistin äärioikeistolaisiksi."),
            (COUNSELLOR, "Hei, kiitos että otit yhteyttä. Onko oppilas sanonut tai tehnyt "
             "jotain muuta, mikä huolettaa sinua?"),
            (VISITOR, "Hän on puhunut luokassa maahanmuuttajista tosi rumasti. Muuten hän on "
             "hiljainen ja aika yksinäinen."),
            (COUNSELLOR, "Yksinäisyys on usein tärkeä taustatekijä. Onko koulussanne "
             "mahdollista pohtia tilannetta kuraattorin tai psykologin kanssa?"),
            (VISITOR, "On, mutta en halua leimata häntä."),
            (COUNSELLOR, "Ymmärrän. Huolen voi ottaa puheeksi kunnioittavasti ja "
             "syyllistämättä: kerro, mitä olet huomannut, ja kysy, miten hänellä menee. "
             "Oppilashuolto on siinä hyvä kumppani."),
            (VISITOR, "Kiitos. Puhun ensin kuraattorin kanssa."),
            (COUNSELLOR, "Hyvä suunnitelma. Olet tervetullut ottamaan yhteyttä uudelleen."),
        ),
    ),
    Dialogue(
        "chat", "fi", "", "father",
        "Isä huolissaan 19-vuotiaasta tyttärestä, joka on liittynyt tuntemattomaan ryhmään "
        "ja puhuu matkasta. Yhteys kotiin säilynyt; kerrottu poliisin neuvonnasta.",
        (
            (VISITOR, "Tyttäreni on 19 ja on liittynyt ryhmään, josta emme tiedä mitään. Hän "
             "puhuu matkasta ulkomaille."),
            (COUNSELLOR, "Kiitos, kun kerroit. Ymmärrän, että tämä huolettaa. Tiedätkö, minne "
             "hän aikoo matkustaa ja milloin?"),
            (VISITOR, "Ei tarkkaa tietoa. Hän sanoo vain, että siellä hän voi elää oikein."),
            (COUNSELLOR, "Asuuko hän vielä kotona, ja puhutteko te keskenänne?"),
            (VISITOR, "Asuu. Puhumme kyllä, mutta hän välttelee tätä aihetta."),
            (COUNSELLOR, "Se, että yhteys on olemassa, on arvokasta. Jos matkasuunnitelma "
             "tarkentuu, poliisilta voi kysyä neuvoa. Voimme myös miettiä yhdessä, miten "
             "ottaa asia puheeksi hänen kanssaan."),
            (VISITOR, "Kiitos. Kirjoitan koodin talteen ja palaan asiaan."),
        ),
    ),
    Dialogue(
        "chat", "fi", "Mummi", "grandparent",
        "Isovanhempi: lapsenlapsi valvoo öitä verkossa ja puhuu salaliitoista. Annettu tietoa "
        "perheiden tuesta.",
        (
            (VISITOR, "Hei, mistä saisi apua, kun lapsenlapsi valvoo öitä netissä ja puhuu "
             "oudoista asioista?"),
            (COUNSELLOR, "Hei! Kerro vähän lisää: minkälaisista asioista hän puhuu?"),
            (VISITOR, "Salaliitoista lähinnä. Että kaikki valehtelevat hänelle."),
            (COUNSELLOR, "Salaliittoajattelun takana on usein turvattomuutta. Auttaa, kun "
             "aikuinen pysyy rauhallisena ja kiinnostuneena. Voin kertoa perheille "
             "tarkoitetusta tuesta."),
            (VISITOR, "Se olisi hyvä. Kiitos."),
        ),
    ),
    Dialogue(
        "chat", "sv", "Mamma", "mother",
        "Mamma orolig för 15-årig son som tagit till sig våldsbejakande åsikter från ett "
        "spelforum. Pratat om nyfikna frågor.",
        (
            (VISITOR, "Hej. Min son på 15 har börjat säga saker om andra människor som "
             "skrämmer mig."),
            (COUNSELLOR, "Hej, bra att du skriver. Vad är det han säger?"),
            (VISITOR, "Att vissa grupper inte hör hemma här och att våld ibland är rätt. Han "
             "har fått det från ett spelforum."),
            (COUNSELLOR, "Det är förståeligt att du blir orolig. Hur är det mellan er annars, "
             "pratar ni med varandra?"),
            (VISITOR, "Om vardagliga saker, men inte om det här."),
            (COUNSELLOR, "Det är en bra grund. Fråga gärna nyfiket vad han tycker om forumet "
             "och vilka han pratar med där. Du kan alltid skriva till oss igen med din "
             "returkod."),
            (VISITOR, "Tack, det ska jag göra."),
        ),
    ),
    Dialogue(
        "chat", "sv", "", "sibling",
        "Syskon (17) orolig för storebror som isolerat sig med en ny grupp på nätet. "
        "Föreslagit ett samtal tillsammans med föräldrarna.",
        (
            (VISITOR, "Hej, jag är orolig för min storebror. Han har slutat träffa sina "
             "vänner och sitter bara med en ny grupp på nätet."),
            (COUNSELLOR, "Hej. Tack för att du hör av dig. Vet dina föräldrar om det här?"),
            (VISITOR, "De märker det men vet inte vad de ska göra. Jag är 17."),
            (COUNSELLOR, "Det låter tungt att bära, och det är bra att du pratar om det. Vill "
             "ni kanske kontakta oss tillsammans någon dag?"),
            (VISITOR, "Kanske. Jag ska fråga mamma."),
        ),
    ),
    Dialogue(
        "chat", "en", "", "father",
        "Father worried about a 17-year-old son who follows an online preacher justifying "
        "violence. Still at school, no plans to act. Shared a family support service.",
        (
            (VISITOR, "Hello. My son is 17 and has started following an online preacher who "
             "says violence is justified. I don't know how worried I should be."),
            (COUNSELLOR, "Hello, thank you for reaching out. It makes sense that you are "
             "worried. What have you noticed at home?"),
            (VISITOR, "He argues a lot more, and he has stopped seeing his old friends. But "
             "he still goes to school."),
            (COUNSELLOR, "It is good that he still goes to school and lives with you. Those "
             "connections matter. Has he said anything about acting on these ideas?"),
            (VISITOR, "No, nothing like that. It is more talk."),
            (COUNSELLOR, "Then the most helpful thing now is to stay in contact and keep "
             "listening. I can share a family support service that works with parents in "
             "your situation."),
            (VISITOR, "Yes please. Thank you."),
        ),
    ),
    Dialogue(
        "chat", "en", "Sam", "friend",
        "A fellow student worried about a friend sharing posts calling for attacks. Talked "
        "about keeping in touch without arguing; mentioned 112 for immediate danger.",
        (
            (VISITOR, "Hi, I'm writing about a friend. She has been sharing posts that call "
             "for attacks on a minority group."),
            (COUNSELLOR, "Hi, thanks for writing. Is she a friend you see in person, or "
             "mainly online?"),
            (VISITOR, "We study together. She used to be quite different."),
            (COUNSELLOR, "That change must be confusing. Would you feel able to ask her, "
             "calmly, what has been happening lately?"),
            (VISITOR, "Maybe. I am afraid she will stop talking to me."),
            (COUNSELLOR, "That is a real worry. You don't need to argue with her posts: "
             "showing that you still care often keeps the door open. If you ever think "
             "someone is in immediate danger, call the emergency number 112."),
            (VISITOR, "Okay. That helps, thank you."),
        ),
    ),
    Dialogue(
        "chat", "ar", "أم", "mother",
        "Äiti huolissaan 16-vuotiaasta pojasta, joka viettää aikaa verkkoryhmässä. Käy "
        "koulua, jättänyt harrastuksen. Puhuttu rauhallisesta kysymisestä.",
        (
            (VISITOR, "مرحباً. ابني عمره ١٦ سنة، وصار يقضي وقتاً طويلاً مع مجموعة على "
             "الإنترنت تتحدث عن العنف باسم الدين."),
            (COUNSELLOR, "مرحباً، شكراً لتواصلك معنا. من الطبيعي أن تقلقي. ماذا لاحظتِ في "
             "البيت؟"),
            (VISITOR, "لم يعد يتحدث معنا كثيراً، ويقول إننا لا نفهم الدين الصحيح."),
            (COUNSELLOR, "هل ما زال يذهب إلى المدرسة ويلتقي بأصدقائه القدامى؟"),
            (VISITOR, "نعم، يذهب إلى المدرسة، لكنه ترك فريق كرة القدم."),
            (COUNSELLOR, "من الجيد أنه ما زال في المدرسة. حاولي أن تسأليه بهدوء عمّا يعجبه "
             "في هذه المجموعة، دون لوم. يمكنك العودة إلى هذه المحادثة برمز العودة في أي "
             "وقت."),
            (VISITOR, "شكراً جزيلاً. سأحاول."),
        ),
    ),
    Dialogue(
        "chat", "ar", "", "father",
        "Isä huolissaan 20-vuotiaasta tyttärestä, jota painostetaan matkustamaan ja "
        "jättämään perhe. Neuvottu pitämään yhteyttä; voi palata ennen matkaa.",
        (
            (VISITOR, "السلام عليكم. أنا أب، وعندي قلق على ابنتي، عمرها ٢٠ سنة."),
            (COUNSELLOR, "وعليكم السلام. أنا هنا لأستمع إليك. ما الذي يقلقك؟"),
            (VISITOR, "تعرفت على أشخاص يقولون لها إن عليها أن تسافر وتترك عائلتها."),
            (COUNSELLOR, "هذا أمر مقلق، وشكراً لأنك أخبرتنا. هل تعرف إلى أين تنوي السفر؟"),
            (VISITOR, "لا أعرف بالضبط. هي لا تريد أن تتكلم عن ذلك."),
            (COUNSELLOR, "حافظ على التواصل معها قدر الإمكان. إذا اقترب موعد السفر، يمكننا "
             "أن نساعدك في معرفة بمن تتصل. يمكنك أن تكتب لنا مرة أخرى في أي وقت."),
            (VISITOR, "شكراً لك."),
        ),
    ),
    Dialogue(
        "message", "fi", "", "mother",
        "Äiti kirjoitti viestin: 14-vuotias tytär toistaa somesta poimittuja "
        "maahanmuuttovastaisia ajatuksia. Vastattu: rauhallinen kiinnostus, ei kieltoja.",
        (
            (VISITOR, "Hei. Kirjoitan tänne, koska en uskalla soittaa. 14-vuotias tyttäreni "
             "on alkanut puhua, että tietyt ihmiset pitäisi ajaa pois Suomesta. Hän on "
             "saanut nämä ajatukset somesta. Miten tällaisesta pitäisi puhua hänen "
             "kanssaan?"),
            (COUNSELLOR, "Hei, ja kiitos viestistäsi. On hyvä, että kirjoitit. Tuon ikäinen "
             "kokeilee usein jyrkkiä mielipiteitä, ja vanhemman rauhallinen kiinnostus "
             "auttaa enemmän kuin kiellot. Voit kysyä, mistä hän on kuullut ajatuksen ja "
             "mitä hän itse siitä ajattelee. Voit jatkaa tätä keskustelua samalla "
             "paluukoodilla."),
            (VISITOR, "Kiitos vastauksesta. Kokeilen tätä viikonloppuna."),
        ),
    ),
    Dialogue(
        "message", "fi", "Nuorisotyö", "youth_social",
        "Nuorisotyöntekijä: poika jakaa väkivaltaa ihannoivia videoita nuorisotalolla. "
        "Pyysi materiaalia; kerrottu ammattilaisten koulutuksesta.",
        (
            (VISITOR, "Hei, olen nuorisotyöntekijä. Nuorisotalolla käy poika, joka jakaa "
             "kavereilleen väkivaltaa ihannoivia videoita. Onko teillä materiaalia, jota "
             "voisin käyttää keskustelun pohjana?"),
            (COUNSELLOR, "Hei, kiitos viestistä. Voin kertoa palvelusta, joka tarjoaa "
             "koulutusta ja materiaalia nuorten kanssa työskenteleville. Kerro myös lisää "
             "tilanteesta, niin mietitään yhdessä seuraavia askelia."),
        ),
    ),
    Dialogue(
        "message", "en", "", "grandparent",
        "A grandparent asked which signs to watch for in a grandson who spends nights in "
        "chat groups. Answered with signs and encouragement to stay close.",
        (
            (VISITOR, "Good evening. My grandson lives with us. He has become very angry "
             "about the world and spends his nights in chat groups. I am not sure if I am "
             "overreacting. Which signs should I look for?"),
            (COUNSELLOR, "Good morning, and thank you for your message. You are not "
             "overreacting by asking. Signs worth noticing are a growing us-against-them "
             "view, withdrawal from family and old friends, and talk of violence as a "
             "solution. Staying close and curious is the best thing you can do. You are "
             "welcome to write again with the same return code."),
            (VISITOR, "Thank you, that is very clear."),
        ),
    ),
    Dialogue(
        "message", "sv", "", "mother",
        "Mamma: 16-årig dotter har en ny pojkvän med extrema åsikter som säger att hon inte "
        "ska prata med familjen. Råd om att hålla kontakten.",
        (
            (VISITOR, "Hej. Vår dotter på 16 har fått en ny pojkvän som säger att hon inte "
             "ska prata med oss. Han delar extrema åsikter. Vad kan vi göra?"),
            (COUNSELLOR, "Hej och tack för ditt meddelande. Det är klokt att ni reagerar. "
             "Försök hålla kontakten med er dotter utan att kritisera pojkvännen direkt, så "
             "att hon inte känner att hon måste välja. Skriv gärna igen med samma "
             "returkod."),
        ),
    ),
    Dialogue(
        "message", "ar", "", "mother",
        "Äiti: 18-vuotias poika katsoo ääriliikkeiden videoita öisin. Neuvottu aloittamaan "
        "kuuntelemalla.",
        (
            (VISITOR, "مرحباً. أكتب لكم لأنني قلقة على ابني. عمره ١٨ سنة وصار يشاهد "
             "فيديوهات متطرفة كل ليلة. لا أعرف كيف أبدأ الحديث معه."),
            (COUNSELLOR, "مرحباً، شكراً على رسالتك. من الجيد أنك كتبتِ لنا. ابدئي "
             "بالاستماع: اسأليه عمّا يشاهده ولماذا يهمه، دون أن تحكمي عليه مباشرة. يمكنك "
             "الكتابة لنا مرة أخرى برمز العودة نفسه."),
        ),
    ),
]  # fmt: skip


# (title, {language: text}): canned responses have a text per visitor language
# (``CannedText``); the counsellor sees which and gets the visitor's first. The demo's are in
# the staff languages, and some in Arabic, the language of three of its conversations.
CANNED_RESPONSES = [
    (
        "Tervehdys · Greeting",
        {
            "fi": (
                "Hei, ja kiitos että otit yhteyttä. Olen täällä kuuntelemassa. Kerro rauhassa, "
                "mikä sinua huolettaa."
            ),
            "sv": (
                "Hej, och tack för att du hör av dig. Jag är här för att lyssna. Berätta i lugn "
                "och ro vad du är orolig för."
            ),
            "en": (
                "Hello, and thank you for reaching out. I am here to listen. Take your time and "
                "tell me what is worrying you."
            ),
            "ar": "مرحبًا، وشكرًا لتواصلك معنا. أنا هنا لأستمع إليك. خذ وقتك وأخبرني بما يقلقك.",
        },
    ),
    (
        "Ota aikaa · Take your time",
        {
            "fi": "Ei kiirettä. Voit kirjoittaa omaan tahtiisi, ja voit lopettaa milloin tahansa.",
            "sv": "Ingen brådska. Du kan skriva i din egen takt och avsluta när du vill.",
            "en": "There is no hurry. You can write at your own pace and stop whenever you like.",
        },
    ),
    (
        "Paluukoodi · Return code",
        {
            "fi": (
                "Kirjoita paluukoodi talteen. Sillä voit palata tähän samaan keskusteluun "
                "myöhemmin, eikä sinun tarvitse kertoa asiaa alusta."
            ),
            "sv": (
                "Spara returkoden. Med den kan du komma tillbaka till samma samtal senare utan "
                "att behöva berätta allt från början."
            ),
            "en": (
                "Please keep your return code. With it you can come back to this same "
                "conversation later without telling everything again."
            ),
            "ar": (
                "احتفظ برمز العودة. يمكنك به العودة إلى هذه المحادثة نفسها لاحقًا دون أن تروي كل "
                "شيء من جديد."
            ),
        },
    ),
    (
        "Palvelut · Services",
        {
            "fi": (
                "Voin jakaa sinulle tietoja palveluista, joista voi saada tukea lähellä sinua. "
                "Haluatko, että katson sopivia vaihtoehtoja?"
            ),
            "sv": (
                "Jag kan dela information om tjänster nära dig där du kan få stöd. Vill du att "
                "jag letar fram några alternativ?"
            ),
            "en": (
                "I can share details of services near you where you can get support. Would you "
                "like me to look for some options?"
            ),
        },
    ),
    (
        "Hätätilanne · Emergency",
        {
            "fi": "Jos joku on välittömässä vaarassa, soita hätänumeroon 112.",
            "sv": "Om någon är i omedelbar fara, ring nödnumret 112.",
            "en": "If anyone is in immediate danger, call the emergency number 112.",
            "ar": "إذا كان أي شخص في خطر مباشر، فاتصل برقم الطوارئ 112.",
        },
    ),
    (
        "Lopetus · Closing",
        {
            "fi": (
                "Kiitos, että kirjoitit. Voit ottaa yhteyttä uudelleen milloin tahansa, ja "
                "paluukoodilla voit jatkaa tätä keskustelua."
            ),
            "sv": (
                "Tack för att du skrev. Du kan höra av dig igen när som helst, och med returkoden "
                "kan du fortsätta det här samtalet."
            ),
            "en": (
                "Thank you for writing. You can contact us again at any time, and with your "
                "return code you can continue this conversation."
            ),
        },
    ),
]
