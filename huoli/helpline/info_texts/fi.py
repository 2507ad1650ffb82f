TEXT = {
    "signs": (
        "Merkkejä, joihin kiinnittää huomiota",
        "Muutoksia, jotka voivat kertoa ajautumisesta ääriajatteluun – ja mitä ne eivät kerro.",
        """Mikään yksittäinen merkki ei todista mitään. Moni nuori kokeilee jyrkkiä mielipiteitä, ja se kuuluu kasvamiseen. Tärkeää on muutos, joka jatkuu ja kaventaa elämää.

## Muutoksia, joita voit huomata
- Hän jättää vanhat ystävät ja viettää aikaa uuden porukan kanssa, verkossa tai muualla.
- Hän näkee maailman "meinä" ja "niinä" ja puhuu muista halveksuen.
- Hän sanoo väkivallan olevan oikeutettua tai ihailee sitä käyttäneitä.
- Hän salailee puhelintaan, käyttämiään sivustoja tai menojaan.
- Hänen puheessaan on sanoja, symboleja tai videoita, jotka ovat sinulle uusia.
- Hän vetäytyy perheestä, koulusta tai harrastuksista, joista ennen piti.

## Mitä voit tehdä nyt
Kirjoita muistiin, mitä olet huomannut ja milloin. Pidä yhteyttä, vaikka se olisi vaikeaa. Sinun ei tarvitse olla varma ennen kuin otat meihin yhteyttä: huoli riittää.""",
    ),
    "talking": (
        "Kun puhut hänen kanssaan",
        "Näin pidät keskustelun auki ihmisen kanssa, josta olet huolissasi.",
        """Välinne on tärkein asia, joka sinulla on. Harva luopuu ääriajattelusta hävittyään väittelyn, mutta moni siksi, että läheinen jaksoi kuunnella.

## Tämä auttaa usein
- Kysy avoimia kysymyksiä ja kuuntele vastaukset: "Mikä heissä sinua kiinnostaa?"
- Näytä, että välität ihmisestä, vaikka torjut ajatukset.
- Pysy rauhallisena. Viha ja pilkka työntävät usein lähemmäs ryhmää.
- Puhukaa tunteista ja kokemuksista, ei vain tosiasioista.
- Kerro omista arvoistasi rehellisesti saarnaamatta.
- Pidä taukoa, kun keskustelu kuumenee, ja palaa asiaan myöhemmin.

## Pidä huolta myös itsestäsi
Huoli kuluttaa. Puhu jonkun luotettavan kanssa tai meidän kanssamme. Työntekijä voi auttaa sinua valmistautumaan vaikeaan keskusteluun.""",
    ),
    "contact": (
        "Mitä tapahtuu, kun otat yhteyttä",
        "Chat, viesti tai puhelu: näin se etenee.",
        """Voit chatata aukioloaikoina tai jättää viestin milloin tahansa. Sinun ei tarvitse kertoa omaa eikä kenenkään muun nimeä.

## Vaihe vaiheelta
- Aloitat chatin tai kirjoitat viestin. Saat paluukoodin: säilytä se, sillä vain sen avulla pääset takaisin keskusteluun.
- Koulutettu työntekijä vastaa. Chatissa odotat yleensä vain muutaman minuutin; viestiin vastataan yleensä vuorokauden kuluessa.
- Kerrot niin paljon tai vähän kuin haluat. Työntekijä kuuntelee, kysyy ja pohtii asiaa kanssasi.
- Tarvittaessa työntekijä kertoo lähelläsi olevista palveluista, kuten perheneuvolasta tai nuorisopalveluista. Sinä päätät, otatko niihin yhteyttä.
- Voit palata paluukoodilla niin monta kertaa kuin haluat.

Olemme järjestö, emme poliisi emmekä muu viranomainen. Keskustelu poistetaan sääntöjemme mukaisen ajan kuluttua; sivulla näkyy milloin.""",
    ),
    "safety": (
        "Nimettömyys ja kun henki on vaarassa",
        "Mitä pidämme omana tietonamme – ja harvat tilanteet, joissa meidän on toimittava.",
        """## Nimettömyytesi
Voit pysyä nimettömänä. Emme kysy nimeäsi emmekä tallenna laitteesi osoitetta. Kirjoittamasi tallennetaan salattuna ja poistetaan säilytysajan jälkeen. Työntekijät kirjaavat muistiinpanot ilman nimiä.

## Luottamuksellisuus ja sen rajat
Se, mitä kerrot, jää meille. Poikkeuksia on harvoin, ja kerromme niistä ennen kuin kerrot yksityiskohtia:
- Jos jonkun henki tai terveys on välittömässä vaarassa, neuvomme soittamaan hätänumeroon 112, ja voimme ottaa itse yhteyttä poliisiin. Mahdollisuuksien mukaan sovimme tästä ensin kanssasi.
- Suomen laki velvoittaa jokaisen ilmoittamaan suunnitteilla olevasta vakavasta rikoksesta ajoissa sen estämiseksi. Tämä menee luottamuksellisuuden edelle.
- Jos lapsi voi tarvita lastensuojelua, voimme konsultoida lastensuojelua kertomatta lapsen nimeä. Kerromme sinulle, jos arvioimme ilmoituksen tarpeelliseksi.

Jokaisesta tällaisesta askeleesta päätetään yhdessä esihenkilön kanssa, ja se kirjataan.

## Hätätilanteessa
Soita heti 112, jos joku on välittömässä vaarassa.""",
    ),
    "professionals": (
        "Ammattilaisille",
        "Opettajat, sosiaalityöntekijät, terveydenhuollon ja nuorisotyön ammattilaiset ja muut nuorten kanssa työskentelevät.",
        """Voit konsultoida meitä nuoresta tai perheestä, josta olet huolissasi, kertomatta heidän nimeään.

## Voimme auttaa sinua
- pohtimaan, mitä olet nähnyt ja kuinka huolestuttavaa se on;
- suunnittelemaan, miten puhut nuoren ja perheen kanssa;
- löytämään oikeat palvelut ja moniammatilliset kumppanit alueeltasi;
- erottamaan radikaalit mielipiteet väkivallan riskistä.

## Omat velvollisuutesi pysyvät sinulla
Meidän konsultoimisemme ei korvaa omia velvollisuuksiasi. Sosiaali- ja terveydenhuollon sekä koulun henkilöstön on tehtävä lastensuojeluilmoitus, kun lapsi voi tarvita lastensuojelua, eikä ilmoitusta voi tehdä nimettömänä. Voit ensin konsultoida lastensuojelua kertomatta lapsen nimeä. Välittömässä vaarassa soita 112.

Chattaa kanssamme aukioloaikoina tai jätä viesti milloin tahansa.""",
    ),
}
