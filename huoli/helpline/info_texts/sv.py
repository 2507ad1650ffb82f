TEXT = {
    "signs": (
        "Tecken att vara uppmärksam på",
        "Förändringar som kan betyda att någon dras in i extremism – och vad de inte betyder.",
        """Inget enskilt tecken bevisar något. Många unga prövar starka åsikter, och det hör till att växa upp. Det som spelar roll är förändring som består och som gör livet snävare.

## Förändringar du kan märka
- Hen lämnar gamla vänner och umgås med en ny grupp, på nätet eller någon annanstans.
- Hen ser världen som "vi" mot "dem" och talar föraktfullt om andra.
- Hen säger att våld är berättigat eller beundrar personer som har använt det.
- Hen blir hemlighetsfull om sin telefon, sina webbplatser eller vart hen går.
- Hen använder ord, symboler eller videor som är nya för dig.
- Hen drar sig undan familjen, skolan eller fritidsintressen hen tyckte om.

## Det här kan du göra nu
Skriv upp vad du har märkt och när. Håll kontakten, även när det är svårt. Du behöver inte vara säker innan du kontaktar oss: oro räcker.""",
    ),
    "talking": (
        "Att prata med hen",
        "Så håller du samtalet öppet med någon du är orolig för.",
        """Er relation är det viktigaste du har. Få lämnar extrema idéer för att de förlorar en diskussion, men många gör det för att någon nära fortsatte att lyssna.

## Det här hjälper ofta
- Ställ öppna frågor och lyssna på svaren: "Vad är det du gillar med dem?"
- Visa att du bryr dig om personen, även när du avvisar idéerna.
- Håll dig lugn. Ilska och förlöjligande driver ofta närmare gruppen.
- Prata om känslor och upplevelser, inte bara om fakta.
- Berätta ärligt om dina egna värderingar, utan att predika.
- Ta paus när samtalet hettar till, och återkom senare.

## Ta hand om dig själv också
Oro tär. Prata med någon du litar på, eller med oss. En rådgivare kan hjälpa dig att förbereda ett svårt samtal.""",
    ),
    "contact": (
        "Vad händer när du kontaktar oss",
        "Chatt, meddelande eller samtal: så går det till.",
        """Du kan chatta under öppettiderna eller lämna ett meddelande när som helst. Du behöver inte uppge ditt eller någon annans namn.

## Steg för steg
- Du börjar en chatt eller skriver ett meddelande. Du får en returkod: spara den, den är enda vägen tillbaka till samtalet.
- En utbildad rådgivare svarar. I chatten väntar du oftast bara några minuter; ett meddelande besvaras oftast inom ett dygn.
- Du berättar så mycket eller så lite du vill. Rådgivaren lyssnar, ställer frågor och funderar tillsammans med dig.
- Om det hjälper berättar rådgivaren om tjänster nära dig, till exempel familjerådgivning eller ungdomstjänster. Du bestämmer själv om du kontaktar dem.
- Du kan återkomma med din returkod så många gånger du vill.

Vi är en organisation, inte polisen eller någon annan myndighet. Samtalet raderas efter en tid som våra regler bestämmer; sidan visar när.""",
    ),
    "safety": (
        "Anonymitet, och när ett liv är i fara",
        "Vad vi håller för oss själva – och de sällsynta fall då vi måste agera.",
        """## Din anonymitet
Du kan vara anonym. Vi frågar inte efter ditt namn och sparar inte din enhets adress. Det du skriver sparas krypterat och raderas efter lagringstiden. Rådgivarna för anteckningar utan namn.

## Sekretess och dess gränser
Det du berättar stannar hos oss. Det finns sällsynta undantag, och vi berättar om dem innan du delar detaljer:
- Om någons liv eller hälsa är i omedelbar fara råder vi dig att ringa nödnumret 112, och vi kan själva kontakta polisen. Om möjligt kommer vi först överens om det med dig.
- Finsk lag kräver att var och en anmäler ett planerat grovt brott i tid för att förhindra det. Det går före sekretessen.
- Om ett barn kan behöva barnskydd kan vi konsultera barnskyddet utan att nämna barnets namn. Vi säger till dig om vi anser att en anmälan behövs.

Varje sådant steg beslutas tillsammans med en arbetsledare, och det dokumenteras.

## I en nödsituation
Ring 112 genast om någon är i omedelbar fara.""",
    ),
    "professionals": (
        "För yrkesverksamma",
        "Lärare, socialarbetare, vårdpersonal, ungdomsarbetare och andra som arbetar med unga.",
        """Du kan konsultera oss om en ung person eller en familj du är orolig för, utan att nämna dem vid namn.

## Vi kan hjälpa dig att
- fundera över vad du har sett och hur oroande det är;
- planera hur du pratar med den unga och familjen;
- hitta rätt tjänster och samarbetspartner i ditt område;
- skilja mellan radikala åsikter och en risk för våld.

## Dina egna skyldigheter kvarstår
Att konsultera oss ersätter inte dina egna skyldigheter. Personal inom socialvård, hälso- och sjukvård och skola ska göra en barnskyddsanmälan när ett barn kan behöva barnskydd, och anmälan kan inte göras anonymt. Du kan först konsultera barnskyddet utan att nämna barnets namn. Vid omedelbar fara, ring 112.

Chatta med oss under öppettiderna eller lämna ett meddelande när som helst.""",
    ),
}
