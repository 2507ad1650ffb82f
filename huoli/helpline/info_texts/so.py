TEXT = {
    "signs": (
        "Calaamadaha la fiiro gaar ah u yeesho",
        "Isbeddello muujin kara in qof loo jiidayo xagjirnimo, iyo waxa aysan macnaheedu ahayn.",
        """Ma jirto calaamad keliya oo wax caddaynaysa. Dhallinyaro badan ayaa tijaabiya fikrado adag, taasina waa qayb ka mid ah koritaanka. Waxa muhiimka ah waa isbeddel sii socda oo noloshooda cidhiidhiya.

## Isbeddello aad dareemi karto
- Wuxuu ka tagaa saaxiibadiisii hore oo wakhtigiisa la qaataa koox cusub, internetka ama meel kale.
- Adduunka wuxuu u arkaa "annaga" iyo "iyaga", dadka kalena wuxuu kaga hadlaa quudhsi.
- Wuxuu leeyahay rabshaddu waa xaq, ama wuu la dhacsan yahay dadkii adeegsaday.
- Wuxuu noqdaa qarsoodi ku saabsan taleefankiisa, boggaga uu isticmaalo ama meelaha uu aado.
- Hadalkiisa waxaa ka buuxa erayo, calaamado ama muuqaallo kuu cusub.
- Wuxuu ka fogaadaa qoyska, dugsiga ama hiwaayadihii uu jeclaan jiray.

## Waxa aad hadda samayn karto
Qor waxa aad dareentay iyo goorta. Xidhiidhka sii wad, xitaa haddii ay adag tahay. Uma baahnid inaad hubto ka hor intaadan nala hadlin: walwalku waa sabab ku filan.""",
    ),
    "talking": (
        "La hadalkiisa",
        "Sida aad wadahadalka ugu furnaan karto qof aad ka walwalsan tahay.",
        """Xidhiidhkiinnu waa waxa ugu muhiimsan ee aad haysato. Dadku marar dhif ah ayay fikradaha xagjirka ah uga tagaan sababtoo ah dood ayay ku guuldarreysteen, laakiin qaar badan ayaa uga taga sababtoo ah qof u dhow ayaa sii dhegaystay.

## Waxyaabo inta badan caawiya
- Weydii su'aalo furan oo dhegayso jawaabaha: "Maxaad ka jeceshahay iyaga?"
- Tus inaad qofka daryeesho, xitaa marka aad diidayso fikradaha.
- Deganaan. Cadhada iyo jeesjeesku inta badan waxay u sii dhaweeyaan kooxda.
- Ka hadla dareenka iyo waaya-aragnimada, ee ha ahaato xaqiiqooyin keliya.
- Si daacad ah u sheeg qiyamkaaga, adigoon wacdi jeedin.
- Naso marka wadahadalku kululaado, dabadeedna dib ugu noqo.

## Sidoo kale is daryeel
Walwalku wuu daaliyaa. La hadal qof aad aaminsan tahay, ama annaga. La-taliye ayaa kaa caawin kara inaad u diyaargarowdo wadahadal adag.""",
    ),
    "contact": (
        "Maxaa dhaca marka aad nala soo xidhiidho",
        "Wadahadal qoraal ah, fariin ama wicitaan: sidan ayay u socotaa.",
        """Waxaad nala wadahadli kartaa saacadaha shaqada, ama fariin kaga tagi kartaa wakhti kasta. Uma baahnid inaad sheegto magacaaga ama magaca qof kale.

## Tallaabo tallaabo
- Waxaad bilaabaysaa wadahadal ama waxaad qoraysaa fariin. Waxaad helaysaa koodh dib-u-noqosho: kaydi, waa jidka keliya ee aad wadahadalka dib ugu noqon karto.
- La-taliye tababaran ayaa kuu jawaabaya. Wadahadalka inta badan waxaad sugaysaa dhowr daqiiqo oo keliya; fariinta inta badan waxaa looga jawaabaa maalin gudaheed.
- Waxaad sheegaysaa inta aad rabto, wax yar ama wax badan. La-taliyuhu wuu dhegaysanayaa, su'aalo weydiinayaa, kalana fikirayaa.
- Haddii ay caawinayso, la-taliyuhu wuxuu kuu sheegayaa adeegyo kuu dhow, sida la-talinta qoyska ama adeegyada dhallinyarada. Adiga ayaa go'aansanaya inaad la xidhiidho iyo in kale.
- Koodhkaaga dib-u-noqoshada waxaad ku soo noqon kartaa inta jeer ee aad rabto.

Waxaan nahay urur aan dowli ahayn, ma nihin booliis ama hay'ad kale oo dowladeed. Wadahadalka waa la tirtiraa ka dib muddo ay xeerarkayagu go'aamiyaan; bogga ayaa muujinaya goorta.""",
    ),
    "safety": (
        "Qarsoodinimo, iyo marka nolol khatar ku jirto",
        "Waxa aan annagu hayno, iyo xaaladaha dhifka ah ee ay tahay inaan tallaabo qaadno.",
        """## Qarsoodinimadaada
Waxaad ahaan kartaa qof aan la aqoon. Ma weydiinno magacaaga, mana diiwaangelinno ciwaanka qalabkaaga. Waxa aad qorto waxaa loo kaydiyaa si sir ah (qarsoon), waana la tirtiraa marka muddada kaydintu dhammaato. La-taliyayaashu qoraallada waxay qoraan magac la'aan.

## Sirhaynta iyo xadkeeda
Waxa aad noo sheegto annaga ayay nala joogaan. Waxaa jira waxyaabo dhif ah oo ka reeban, waxaanan kuu sheegaynaa ka hor intaadan faahfaahin bixin:
- Haddii nolosha ama caafimaadka qof uu khatar degdeg ah ku jiro, waxaan kugula talinaynaa inaad wacdo lambarka gurmadka degdegga ah 112, annaguna waxaa laga yaabaa inaan la xidhiidhno booliiska. Haddii ay suurtagal tahay, marka hore adiga ayaan kaala heshiinaynaa.
- Sharciga Finland wuxuu qof walba ku waajibinayaa inuu wakhtigeeda ku soo wargeliyo dembi culus oo la qorsheynayo si looga hortago. Tani waxay ka horreysaa sirhaynta.
- Haddii ilmo u baahan karo ilaalinta carruurta, waxaan la tashan karnaa ilaalinta carruurta annagoon sheegin magaca ilmaha. Waan kuu sheegaynaa haddii aan u aragno in warbixin loo baahan yahay.

Tallaabo kasta oo noocan ah waxaa lagu go'aamiyaa iyadoo lala tashanayo kormeere, waana la diiwaangeliyaa.

## Xaalad degdeg ah
Isla markiiba wac 112 haddii qof uu khatar degdeg ah ku jiro.""",
    ),
    "professionals": (
        "Xirfadlayaasha",
        "Macallimiinta, shaqaalaha bulshada, shaqaalaha caafimaadka, shaqaalaha dhallinyarada iyo dadka kale ee la shaqeeya dhallinyarada.",
        """Waxaad nagala tashan kartaa dhallinyaro ama qoys aad ka walwalsan tahay, adigoon sheegin magacyadooda.

## Waxaan kaa caawin karnaa inaad
- ka fikirto waxa aad aragtay iyo inta uu walwal leeyahay;
- qorsheyso sida aad ula hadlayso dhallinyarada iyo qoyska;
- hesho adeegyada saxda ah iyo la-hawlgalayaasha kala duwan ee degaankaaga;
- kala saarto fikradaha xagjirka ah iyo khatarta rabshadda.

## Waajibaadkaagu adiga ayay kuu hadhayaan
Nala tashigu ma beddelo waajibaadkaaga. Shaqaalaha adeegga bulshada, caafimaadka iyo dugsiyada waa inay ogeysiiyaan ilaalinta carruurta marka ilmo u baahan karo, ogeysiiskaas lama samayn karo qarsoodi. Marka hore waxaad la tashan kartaa ilaalinta carruurta adigoon sheegin magaca ilmaha. Khatar degdeg ah, wac 112.

Nala wadahadal saacadaha shaqada ama fariin noo dhaaf wakhti kasta.""",
    ),
}
