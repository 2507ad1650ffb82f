TEXT = {
    "signs": (
        "Märgid, millele tähelepanu pöörata",
        "Muutused, mis võivad tähendada, et keegi satub äärmusluse mõju alla – ja mida need ei tähenda.",
        """Ükski üksik märk ei tõesta midagi. Paljud noored proovivad teravaid arvamusi ja see käib suureks kasvamise juurde. Oluline on muutus, mis kestab ja teeb elu kitsamaks.

## Muutused, mida võid märgata
- Ta jätab vanad sõbrad ja veedab aega uue seltskonnaga, internetis või mujal.
- Ta näeb maailma kui "meie" ja "nemad" ning räägib teistest põlglikult.
- Ta ütleb, et vägivald on õigustatud, või imetleb neid, kes on seda kasutanud.
- Ta muutub salalikuks oma telefoni, veebilehtede või käikude suhtes.
- Tema jutus on sulle uusi sõnu, sümboleid või videoid.
- Ta tõmbub eemale perest, koolist või hobidest, mis talle varem meeldisid.

## Mida saad kohe teha
Pane kirja, mida oled märganud ja millal. Hoia ühendust, isegi kui see on raske. Sa ei pea olema kindel, enne kui meiega räägid: mure on piisav põhjus.""",
    ),
    "talking": (
        "Temaga rääkimine",
        "Kuidas hoida vestlus avatuna inimesega, kelle pärast muretsed.",
        """Teie suhe on kõige tähtsam, mis sul on. Inimesed loobuvad äärmuslikest ideedest harva seetõttu, et kaotavad vaidluse, kuid paljud loobuvad, sest keegi lähedane jätkas kuulamist.

## Mis sageli aitab
- Küsi avatud küsimusi ja kuula vastuseid: "Mis sulle neis meeldib?"
- Näita, et hoolid inimesest, isegi kui lükkad tema ideed tagasi.
- Jää rahulikuks. Viha ja pilkamine tõukavad sageli grupile lähemale.
- Rääkige tunnetest ja kogemustest, mitte ainult faktidest.
- Jaga ausalt oma väärtusi, ilma jutlustamata.
- Tee paus, kui vestlus läheb tuliseks, ja tule selle juurde hiljem tagasi.

## Hoolitse ka enda eest
Mure kurnab. Räägi kellegagi, keda usaldad, või meiega. Nõustaja aitab sul rasket vestlust ette valmistada.""",
    ),
    "contact": (
        "Mis juhtub, kui meiega ühendust võtad",
        "Vestlus, sõnum või kõne: nii see käib.",
        """Saad lahtiolekuaegadel vestelda või jätta sõnumi igal ajal. Sa ei pea ütlema oma ega kellegi teise nime.

## Samm-sammult
- Alustad vestlust või kirjutad sõnumi. Saad tagasipöördumiskoodi: hoia see alles, sest ainult sellega pääsed vestluse juurde tagasi.
- Vastab koolitatud nõustaja. Vestluses ootad tavaliselt vaid mõne minuti; sõnumile vastatakse tavaliselt ööpäeva jooksul.
- Räägid nii palju või vähe, kui soovid. Nõustaja kuulab, esitab küsimusi ja mõtleb koos sinuga.
- Kui see aitab, räägib nõustaja sulle lähedal asuvatest teenustest, näiteks perenõustamisest või noorteteenustest. Sina otsustad, kas võtad nendega ühendust.
- Saad koodiga tagasi tulla nii mitu korda, kui soovid.

Oleme vabaühendus, mitte politsei ega muu ametiasutus. Vestlus kustutatakse meie reeglitega määratud aja möödudes; lehel on näha, millal.""",
    ),
    "safety": (
        "Anonüümsus ja kui elu on ohus",
        "Mida hoiame enda teada – ja harvad juhud, mil peame tegutsema.",
        """## Sinu anonüümsus
Võid jääda anonüümseks. Me ei küsi sinu nime ega salvesta sinu seadme aadressi. Sinu kirjutatu säilitatakse krüpteerituna ja kustutatakse pärast säilitusaja lõppu. Nõustajad teevad märkmeid ilma nimedeta.

## Konfidentsiaalsus ja selle piirid
See, mida sa meile räägid, jääb meie juurde. Erandeid on harva ja me räägime neist enne, kui sa üksikasju jagad:
- Kui kellegi elu või tervis on vahetus ohus, soovitame helistada hädaabinumbrile 112 ja võime ise politseiga ühendust võtta. Võimaluse korral lepime selles esmalt sinuga kokku.
- Soome seadus kohustab igaüht teatama kavandatavast raskest kuriteost õigel ajal, et seda ära hoida. See on konfidentsiaalsusest tähtsam.
- Kui laps võib vajada lastekaitset, saame lastekaitsega nõu pidada lapse nime nimetamata. Ütleme sulle, kui leiame, et teade on vajalik.

Iga sellise sammu üle otsustatakse koos juhendajaga ja see dokumenteeritakse.

## Hädaolukorras
Helista kohe 112, kui keegi on vahetus ohus.""",
    ),
    "professionals": (
        "Spetsialistidele",
        "Õpetajad, sotsiaaltöötajad, tervishoiutöötajad, noorsootöötajad ja teised, kes töötavad noortega.",
        """Võid meiega nõu pidada noore või pere pärast, kelle pärast muretsed, ilma nende nimesid nimetamata.

## Saame aidata sul
- mõelda läbi, mida oled näinud ja kui murettekitav see on;
- planeerida, kuidas rääkida noore ja perega;
- leida oma piirkonnas õiged teenused ja koostööpartnerid;
- eristada radikaalseid arvamusi vägivallariskist.

## Sinu kohustused jäävad sinule
Meiega nõu pidamine ei asenda sinu enda kohustusi. Sotsiaal- ja tervishoiutöötajad ning kooli töötajad peavad teavitama lastekaitset, kui laps võib seda vajada, ja seda teadet ei saa teha anonüümselt. Võid esmalt lastekaitsega nõu pidada lapse nime nimetamata. Vahetu ohu korral helista 112.

Vestle meiega lahtiolekuaegadel või jäta sõnum igal ajal.""",
    ),
}
