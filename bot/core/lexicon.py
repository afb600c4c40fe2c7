"""The words the reader looks for, by what they signal. Pure data: compiled patterns over folded text
(lowercase, accents off, apostrophes dropped: "they're" is "theyre", "está" is "esta").

Each pattern names a class of words, never a particular message: who knows (first-hand, second-hand,
asking, guessing), what (agents, vehicles, actions), whether it is denied or over, and when.
"""

from __future__ import annotations

import re


def words(*alternatives: str) -> re.Pattern[str]:
    """Any of the alternatives as whole words."""
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])")


_KIN = (r"(?:cousin|sister|brother|aunt|auntie|uncle|mom|mother|mum|dad|father|son|daughter|kid|friend|"
        r"neighbou?r|coworker|co-worker|wife|husband|boss|roommate|bf|gf|boyfriend|girlfriend|niece|nephew|"
        r"grandma|grandpa|tia|tio|prima|primo|hermana|hermano|mama|mami|papa|hijo|hija|amiga|amigo|vecina|"
        r"vecino|esposa|esposo|cunada|cunado|suegra|suegro|jefe|jefa|compa|comadre|compadre|sobrina|sobrino|"
        r"abuela|abuelo|novia|novio|companero|companera|teacher|maestra|maestro|pastor|priest|padre|manager|"
        r"coworkers|doctor|nurse|driver|chofer|homie|homies|bro|sis|cuate|carnal|comadre|vecinos)s?")
_NOT_RELAYING = r"(?! (?:to|stay|dont|do not|go|come|keep|be|tell|que no|q no|not to|no salgan|quedense)(?![\w]))"
""""my boss says stay inside" relays advice, not a sighting."""
_PERSON = (r"(?:guy|lady|woman|man|senora|senor|muchacho|muchacha|dude|girl|person|persona|someone|somebody|"
           r"alguien|cop|officer|vecino|vecina)s?")
_SAY = (r"(?:says?|said|saying|tells?|told|texted|texting|called|calling|messaged|sent|saw|seen|heard|emailed|wrote|"
        r"got (?:stopped|detained|arrested|picked up|pulled over)|lo pararon|la pararon|lo agarraron|la agarraron|"
        r"lo detuvieron|la detuvieron|"
        r"posted|shared|dice|dicen|dijo|dijeron|cuenta|conto|contaron|mando|mandaron|escribio|vio|llamo|"
        r"aviso|avisaron|comento|publico|puso)")

AGENTS = words(
    r"ice", r"i\.c\.e\.?", r"la migra", r"migra", r"migras", r"migracion", r"inmigracion", r"immigration",
    r"agents?", r"agentes?", r"feds", r"federales", r"federal agents", r"border patrol", r"cbp", r"hsi",
    r"ero", r"dhs", r"homeland security", r"(?:immigration )?enforcement(?: activity)?", r"la pinche migra", r"ais", r"los del ais", r"la imigracion",
    r"imigration", r"immigracion", r"inmigra", r"los de (?:la )?migracion", r"ice officers?", r"ice vans?",
    r"(?:guys|men|dudes|people|officers|tipos|hombres|señores|senores) (?:in|with|con|w/?) (?:vests?|chalecos?)",
    r"chalecos?", r"vests? (?:that say|saying|que dice)",
)
"""Who enforces. "ice" here is the agency; weather and food senses are blanked first (NOT_AGENTS)."""

NOT_AGENTS = words(
    r"black ice", r"icy", r"ice (?:cream|rink|skating|fishing|fishermen|house|houses|storm|dam|dams|cubes?|"
    r"machine|maker|pack|palace|castle|festival|sculptures?|bar|bars|cold|age|hockey|"
    r"melt|melting|breaking|broke|thin|thick|rescue)",
    r"(?:on the|off the|thin|pure|pura|puro|solid|a sheet of|sheets of|glare|covered in|so much|lots of|mucho|en el) ice", r"ice (?:forms?|papers?|documents?)", r"take (?:someone|somebody|a friend|alguien|a buddy) (?:w|with|contigo|con)", r"(?:i )?got (?:them|em|you|u|it),? (?:auntie|tia|tio|mama|mom|bro|sis|fam|girl|homie|sir|maam|senora|uncle|grandma)", r"my car (?:is|wont|died|broke)", r"(?:pase|pasamos|drove|driving|manejando|im|estoy|i was) (?:en|in) (?:el|mi|my|the|la) (?:carro|car|troca|truck|camioneta)",
    r"ice (?:all over the|under|is (?:good|bad|thick|thin|slippery|out))", r"ice on the (?:lake|lakes|river|pond)", r"ice (?:on|in) (?:the )?(?:roads?|"
    r"sidewalks?|steps|driveway|alley|bridge|parking lot|windshield)",
    r"(?:wild|gophers|hockey) (?:game|on the ice)", r"on ice(?! (?:at|on|in|near|by|outside|en))", r"ice (?:\w+ ){0,4}in (?:my|the|your|his|her|a|mi|el|la) (?:coke|drink|soda|cup|water|tea|glass|lemonade|limonada|horchata|coffee|cafe|margarita|cooler|freezer|vaso|refresco|bebida)", r"not (?:ice|immigration|migra)[- ]related", r"(?:car|auto|truck|van) (?:rates?|insurance|payments?|loan|seats?|wash|repairs?|dealer|shopping|keys|registration|tabs)", r"\d+ more (?:min|mins|minutes)", r"(?:\d+|unos|otros) (?:minutos|min) mas", r"grab (?:some|one|a few|a copy|copies|yours|a card|cards)", r"agentes? (?:del |de la )?(?:fbi|dea|atf)", r"(?:fbi|dea|atf) agents?", r"(?:want|wants|quiere|quieren|quiero) (?:to be|ser) (?:an? |un |una )?(?:ice )?agente?s?", r"(?<!los de )(?<!los del )(?<!la del )hielo", r"skating rink", r"rink", r"helado",
    r"(?:real estate|travel|insurance|leasing|rental|customer service|free|secret|sports|state farm|allstate|farmers|"
    r"booking|ticket|talent) agents?", r"agentes? (?:de bienes raices|de seguros|de la aseguradora|de viajes|de state farm|de allstate|de farmers)",
    r"agents? (?:de |from )?real estate", r"agents? showing (?:the |a )?(?:house|home|property|apartment)",
    r"ice t", r"ice spice", r"vanilla ice", r"ice out", r"(?:contacts?|numbers?|phone|saved?) as ice", r"as ice (?:in|on) (?:your|my|the) phone",
    r"ice (?:delivery|company|machine)", r"reddy ice", r"ice cold", r"ice contacts?", r"ice numbers?",
    r"in case of emergency", r"ice \(in case", r"(?:take|taking|toma|tomen|tomar|agarra|agarren|use|usa|usen|go) (?:otra|otro|another|a different|the other|la otra|el otro|other) (?:ruta|route|routes|calle|street|camino|way|salida|exit|lado|side|road)",
    r"(?:my|mi|our|nuestra|nuestro) (?:real estate )?(?:agent|agente|realtor)", r"ice para", r"hieleras?", r"bolsas? de ice", r"bags? of ice", r"ice on lake \w+", r"(?:ice|migra|la migra) (?:post|alert|message|msg|rumou?r|video|photo|pic|thing|story|"
    r"screenshot)s?", r"(?:post|message|alert|video|photo|pic|rumou?r|story|mensaje|alerta|foto|screenshot|msj)s? "
    r"(?:about|of|de|del|sobre|de la) (?:the |la |el )?(?:ice|migra|agents|agentes|redadas?|raids?)", r"ice (?:officer|agent)s? (?:signed|sign)",
    r"(?:signed|firmada) (?:by|por) (?:an? )?ice", r"(?:orden|warrant|form|forma)s? (?:de |from |by )?(?:ice|inmigracion)", r"ice ice baby", r"ice castles?",
    r"agents? (?:at|from) the (?:dmv|bank|desk|counter|office|insurance|rental|front desk)", r"dmv agents?",
    r"(?:abogad[oa]s?|lawyers?|attorneys?|corte|court|cita|check-?in) (?:de |of |for )?(?:inmigracion|immigration)",
)
MEDIA = words(
    r"movie", r"movies", r"pelicula", r"peli", r"tv show", r"cop show", r"(?:new|that|this|a) show", r"series", r"serie",
    r"netflix", r"hulu", r"documentary", r"documental", r"episode", r"episodio", r"telenovela", r"novela", r"article",
    r"articulo", r"strib", r"star tribune", r"podcast", r"the news about", r"la noticia (?:de|sobre)", r"\[link\]",
    r"https?://\S+", r"book about", r"libro sobre",
)
"""A film, a series, an article: the enforcement in it is not in the street."""
WINTER = words(
    r"salt", r"salted", r"black ice", r"skates?(?! ?parks?| ?boards?)", r"skating", r"slippery", r"slick", r"resbalos[oa]", r"snow", r"nieve",
    r"icy", r"freezing", r"windshield", r"parabrisas", r"frozen", r"congelad[oa]", r"hockey",
    r"me cai", r"fell", r"ditch", r"cuneta", r"drive (?:slow|safe)", r"maneje?n? con cuidado", r"weather",
)
"""Words of winter: with them, "ice" is the weather."""
VEHICLES = words(
    r"suvs?", r"vans?", r"minivans?", r"trucks?", r"pickup trucks?", r"trocas?", r"trokas?", r"troks?",
    r"camionetas?", r"camionetitas?", r"carros?", r"cars?", r"sedans?", r"tahoes?", r"suburbans?",
    r"expeditions?", r"explorers?", r"durangos?", r"chargers?", r"vehicles?", r"vehiculos?", r"convoy",
    r"caravana", r"autos?", r"coches?", r"patrullas?",
)
SUSPICIOUS = words(
    r"unmarked", r"sin placas?", r"sin marcas?", r"sin logos?", r"no (?:front |back |rear |license )?plates?",
    r"no markings", r"no logos?", r"tinted(?: windows)?", r"blacked out", r"vidrios polarizados",
    r"polarizad[oa]s", r"government plates?", r"placas (?:de gobierno|federales)", r"gov plates?",
    r"plates? covered", r"with a cage", r"con jaula", r"out of state plates?", r"placas de otro estado",
    r"luces (?:azules|rojas y azules|en el (?:grill|vidrio|parabrisas))", r"(?:blue|red and blue|police) lights",
    r"lights in the (?:grill|grille|windshield|dash)", r"covered windows", r"ventanas tapadas",
)
"""Vehicles that alone say enforcement; a plain van needs agents, an action or an open sighting."""

ACTIONS = words(
    r"arrest(?:ed|ing|s)?", r"detain(?:ing|s)?", r"detaining", r"(?<!being )detained(?! (?:family|families|relatives|loved|"
    r"people|persons?|immigrants|parents|kids|children|workers))", r"arrestaban", r"detenian", r"esposaban",
    r"agarraban", r"se llevaban", r"(?:pararon|detuvieron|agarraron|levantaron|pararon al|subieron al) a",
    r"(?:gonna|going to|will|van a) (?:hit|raid)", r"hit (?:the|houses|homes|apartments|schools)", r"setting up", r"grabb(?:ed|ing)", r"grabs?",
    r"cuff(?:ed|ing|s)?", r"handcuff(?:ed|ing|s)?", r"zip ?tied?",
    r"(?:took|taking|take|takes|taken|pulling|pulled|dragging|dragged|chasing|chased|tackled|snatched|"
    r"picked up|picking up|put|putting|shoving|forcing|loading|grabbing|got) (?:a |an |one |two |three |\d+ |"
    r"some |the |my |his |her |our |el |la |al |a la |a un |a una |un |una )?(?:young )?(?:senor|senora|muchacho|"
    r"muchacha|chavo|joven|vecino|vecina|hombre|mujer|someone|somebody|him|her|them|people|ppl|guys?|men|man|woman|"
    r"women|lady|ladies|kids?|workers?|person|dad|mom|father|mother|neighbou?r|cousin|brother|sister|husband|"
    r"wife|son|daughter|boy|girl|teen|student|another one|one more|a second|another|a third|second person|"
    r"otra persona|otro|otra|uno mas|otro senor|otra senora)s?"
    r"(?: (?:in|into|out|away|to))?", r"processing (?:people|ppl|a lot of people|detainees)", r"se acaban? de llevar", r"acaban? de (?:llevarse|detener|"
    r"agarrar|arrestar|subir)", r"planning (?:something|a raid|raids|an operation)", r"planean (?:algo|una redada)",
    r"zip ?ti(?:es|ed|e|ing)", r"pushing (?:people|ppl|the)", r"empujando", r"hitting (?:the |houses|homes|apartments)",
    r"sweeps?", r"operations?", r"operacion", r"staging", r"surrounded", r"rodearon", r"rodeando",
    r"(?:subieron|bajaron|metieron|tienen|subiendo|metiendo|bajando|sacando) a (?:un|una|uno|dos|tres|la|el|los|las|\d+|mi|su|alguien|otro|otra|gente)",
    r"(?:los|las|les) (?:estan|andan) (?:revisando|deteniendo|checando|pidiendo|esposando|interrogando)",
    r"uno por uno", r"checking (?:faces|cars|everyone|people|ppl)", r"interrogando", r"anduvieron preguntando",
    r"preguntando por (?:gente|personas|alguien|un|una)", r"(?:was|were|got|been|fue|fueron) (?:picked up|taken away|detained|arrested|deported|detenid[oa]s?|arrestad[oa]s?|deportad[oa]s?|levantad[oa]s?)", r"(?:vinieron|llegaron|fueron|andan|anduvieron|came|were) (?:a )?(?:preguntar|buscar|preguntando|buscando|asking|looking) (?:por|a|for) (?:gente|personas|alguien|un|una|someone|people|him|her|my|mi|su)",
    r"(?:checking|asking for|asking (?:ppl|people|everyone|guys|men|drivers) for|demanding) "
    r"(?:ids?|papers|documents|docs|identification|licen[cs]es?)",
    r"stopping (?:people|ppl|cars|drivers|guys|men|everyone|anyone|folks|workers)",
    r"questioning (?:people|ppl|someone|a|workers|everyone)", r"door to door", r"door knocks?",
    r"knocking (?:on )?doors", r"tocando (?:la|mi|su) puerta", r"knocking on (?:my|the|our|her|his) door",
    r"walking out with (?:one|a|an|someone|him|her|two|\d+)", r"sacaron a", r"banging on (?:the )?doors?", r"traffic stops?", r"checkpoint", r"check point",
    r"raid(?:ing|ed|s)?", r"redadas?", r"operativos?", r"retenes?", r"reten",
    r"se (?:lo |la |los |las )?(?:llevaron|llevan|llevo|estan llevando|lleva)",
    r"agarr(?:aron|ando|an|o)", r"detuvieron", r"deteniendo", r"detienen", r"arrestaron", r"arrestando",
    r"esposaron", r"esposando", r"levantaron a", r"pidiendo (?:papeles|documentos|ids?|identificacion|"
    r"licencias?|la mica)", r"revisando (?:papeles|documentos|ids?|a la gente|carros|a todos)",
    r"(?:sacando|bajando|parando|correteando|persiguiendo) (?:a )?(?:la )?(?:gente|personas|carros|trabajadores|"
    r"a todos|a uno|a una|a un)", r"tocando (?:las )?puertas", r"de puerta en puerta", r"casa por casa",
)
"""What enforcement does. Any of these alone makes a message about enforcement."""

SEEING = words(
    r"i see", r"i can see", r"i saw", r"i just saw", r"veo", r"vi", r"vimos", r"watching", r"i count(?:ed)?",
    r"cuento", r"counted", r"im looking at", r"estoy viendo", r"los veo", r"looking at",
)
"""Seeing with one's own eyes: a guess about who they are does not undo what was seen."""
CHECKED = words(
    r"i went (?:to|and|over)", r"went to (?:look|see|check)", r"fui a (?:ver|checar|mirar)", r"i checked",
    r"i can confirm", r"and yes", r"y si", r"yes (?:theyre|they are)", r"i (?:drove|walked) (?:by|past)",
    r"i see them", r"los veo", r"los vi", r"pase (?:por|y)", r"acabo de pasar", r"im (?:here|standing here|there)",
)
"""The writer went and looked: what they were told, they now claim themselves."""
SEE_NOTHING = words(
    r"(?:i |yo )?(?:dont|do not|cant|tampoco|no) (?:see|veo|vi|he visto) (?:anybody|anyone|anything|nada|nadie|nothing)",
    r"se ve (?:todo )?(?:tranquilo|normal|vacio|bien)", r"looks (?:quiet|clear|normal|empty|fine)",
)
"""Absence the writer sees for themselves."""
ONGOING = words(
    r"(?:estan|andan|siguen|ya estan|ahora estan|ahorita estan)(?: \w+)? \w+(?:ando|iendo|endo)",
    r"(?:theyre|they are|they r)(?: just| still| now| all)? \w+ing", r"(?:los|las|la|lo|les) (?:tienen|estan) \w*",
    r"theres (?:one|another|two|three|\d+|more)(?! (?:thing|question|problem|rumor))", r"hay (?:otro|otra|uno|una|dos|tres|mas) (?:atras|adelante|en)",
    r"(?:one|another) (?:at|in|by|on) the (?:back|front|side|corner|door)",
)
"""Going on as the writer speaks ("están revisando a otro señor", "they're holding her by the arm"): under an
open sighting, an update."""
THEM_SEEN = words(
    r"(?:i|we|i can|we can|i just|we just|he|she|el|ella) (?:see|saw|seen|spotted|spot|watch|watched|count|counted) them",
    r"seeing them", r"watching them", r"looking at them", r"(?:los|las) (?:vi|veo|vimos|estoy viendo|estamos viendo|"
    r"sigo viendo|seguimos viendo|tengo enfrente|tenemos enfrente|veia|vio)", r"there they are", r"ahi (?:estan|andan)",
    r"(?:\d+|two|three|four|five|dos|tres|cuatro|cinco) (?:of them|de ellos)", r"saw them", r"seen them", r"(?:los|las) (?:oigo|escucho|oimos|escuchamos)", r"(?:i|we) (?:can )?hear them",
    r"los vio", r"los vieron", r"estan (?:aqui|aca|alli|ahi)",
)
""""Them", seen: in a network's chat, the agents."""
FIRST_HAND = words(
    r"i see", r"i can see", r"i saw", r"i just saw", r"i seen", r"im seeing", r"i am seeing", r"seeing them",
    r"im (?:at|in|on|by|near|inside|outside|here|there|looking|watching|standing|parked|across|right)",
    r"i am (?:at|in|on|by|near|inside|outside|here|there|looking|watching|standing)",
    r"i was just", r"i just (?:drove|walked|went|passed|got|came|left)", r"just (?:drove|walked|went) (?:by|past)",
    r"drove (?:by|past)", r"walked (?:by|past)", r"i went (?:to|and|over)", r"went to (?:look|see|check)",
    r"fui a (?:ver|checar|mirar)", r"yes (?:theyre|they are)", r"i checked", r"i can confirm", r"from my (?:window|porch|car|balcony|house|apartment|door|"
    r"job|work|yard)", r"in front of me", r"i count(?:ed)?", r"counted", r"my own eyes", r"with my eyes",
    r"watching them", r"looking at them", r"i work", r"i live", r"i talked to", r"i spoke to", r"i asked",
    r"estoy", r"estamos", r"yo (?:estoy|los|las|lo|la|vi|veo)", r"los (?:estoy viendo|veo|vi|vimos)",
    r"las (?:veo|vi)", r"lo (?:veo|vi)", r"(?:acabo|acabamos) de (?:ver|pasar|salir|llegar)", r"vi",
    r"veo", r"vimos", r"desde (?:mi|la) (?:ventana|casa|carro|trabajo|puerta|balcon)", r"enfrente de mi",
    r"aqui (?:en|enfrente|afuera|adentro|estan|siguen)", r"pase por", r"pasamos por", r"hable con",
    r"vivo", r"trabajo (?:en|enfrente|ahi|aqui)", r"i know (?:them|her|him|the)", r"los conozco", r"la conozco",
    r"lo conozco", r"mis propios ojos", r"con mis ojos", r"we see", r"i watched",
    r"ando (?:en|por)", r"andamos (?:en|por)", r"im (?:literally |actually |just |currently )?(?:looking|watching|seeing|standing|here|at)", r"i work (?:there|here|right)",
    r"im the (?:manager|owner|foreman|supervisor)", r"soy (?:el|la) (?:encargad[oa]|gerente|duen[oa]|manager)",
    r"(?:me and (?:my )?\w+|my \w+ and i) (?:are|r|am) (?:at|in|here)",
    r"we are (?:at|in|here|inside|outside)", r"(?:we|were) (?:r )?(?:here|inside|outside)",
)
ATTRIBUTION = re.compile(
    r"(?<![\w])(?:(?:my|mi|mis|our|nuestra|nuestro|a|the|el|la|his|her|su|this|that|some|una?|esa|ese) "
    + _KIN + r"(?![\w])(?:.{0,40}?)(?<![\w])(?<!i )" + _SAY + _NOT_RELAYING + r"|"
    r"me (?:acaba de |acaban de )?(?:marco|marcar|llamo|llamar|hablo|hablar|escribio|escribir|aviso|avisar)|"
    r"just (?:called|texted|messaged) me|"
    r"(?:someone|somebody|alguien|a parent|some parent|a neighbou?r|a lady|a guy)(?: [\w-]+){0,5} (?:posted|said|says|"
    r"texted|wrote|publico|dijo|puso|posteo)|heard (?:at|in|from|on) [\w ]{2,30}? (?:that|que|q)|"
    r"(?:a|the|this|that|some|una?|el|la|esa|ese) " + _PERSON + r"(?: [\w-]+){0,5} (?:says|say|said|told|tells|dice|dijo|grito|yelled|shouted|"
    r"me dijo|texted|posted|wrote)|"
    r"they say (?:ice|la migra|agents|that|its|theyre|que|q)|"
    r"(?:says|said|saying|dice|dicen|dijo|dijeron|anda diciendo|andan diciendo|estan diciendo|cuentan)"
    r"(?! (?:to|stay|dont|do not|go|come|keep|be|tell|que no|q no|not to|no salgan|quedense)(?![\w]))|"
    r"(?:emailed|texted|messaged|wrote|posted|announced|avisaron|escribieron)(?: \w+){0,3} (?:that|saying|que|q)|"
    r"i (?:heard|hear) (?:that|there|theres|ice|they|theyre|about|from|a|on|it)|heard (?:that|there|theres|"
    r"ice|they|theyre|about|from|it|rumou?rs?|on)|(?:^|\. )heard|hearing (?:that|reports|rumou?rs)|"
    r"(?:people|ppl|folks|everyone|everybody|gente|todos|la gente)(?: \w+){0,4} (?:saying|say|posting|are saying)|"
    r"(?:escuche|oi|i heard|we heard) (?:que|q|that)|"
    r"(?:tiktok|facebook|fb|ig|instagram|insta|youtube) live|en vivo de|(?:a |un )?live(?:stream)? (?:of|de)|streaming|"
    r"got a (?:call|text|message) from|"
    r"getting (?:a bunch of |lots of |many |some |a lot of |tons of )?(?:texts|messages|msgs|calls|dms)|"
    r"(?:got|received|recibi|me llegaron|llegaron|llegando) (?:a bunch of |varios |muchos |unos )?(?:texts|messages|"
    r"msgs|mensajes|audios)|"
    r"(?:(?:a|the|this|that|un|el|ese|esa) )?(?:video|post|pic|photo|screenshot|tiktok|live|clip|foto|mensaje)(?: \w+){0,3} "
    r"(?:going around|circulating|shows|showing|que circula|circulando)|circula(?:n)?(?: en \w+)? (?:que|q)|"
    r"(?:vi|saw|watched) (?:un|a|el|the) (?:tiktok|video|post|live|reel|story)|keep hearing|hearing (?:ice|that|there|they)|"
    r"(?:came|knocked|stopped by|called|came by)(?: \w+){0,4} to (?:say|tell|warn)|(?:vino|paso) a (?:decir|avisar)|through the grapevine|heard (?:\w+ ){1,6}(?:that|que)|radioed|radio(?:ed)? in|called (?:\w+ ){0,3}to say|wrote in|called in|reported to (?:me|us)|"
    r"(?:told|tell|tells|telling) us|(?:i|we) (?:was|were) told|was told by|pusieron (?:que|q)|publicaron (?:que|q)|"
    r"subieron (?:que|q)|(?:his|her|their|su|my|mi) (?:wife|husband|mom|mother|family|familia|esposa|esposo) (?:thinks|cree|piensa)|"
    r"(?:a|an|un|una) (?:tiktok|video|post|live|reel|clip|story|foto|photo|pic) (?:of|de) |going viral|viral|"
    r"word is|segun|according to|told me|tell me(?! if| si| where| when| pls| please| porfa| plz)|telling me|tells me|texted me|sent me|called me|messaged me|"
    r"me (?:dijo|dice(?! si)|dijeron|contaron|conto|cuenta|cuentan|comento|comentaron|platico|platicaron|avisaron|aviso|llego|llegaron|mandaron|mando|pasaron|paso|"
    r"escribio|escribieron|llamo|texteo|textearon|enseno)|"
    r"someone (?:said|says|say|posted|told|texted|sent|wrote)|somebody (?:said|says|posted|told)|"
    r"alguien (?:dijo|dice|puso|publico|posteo|subio|mando|comento)|"
    r"(?:saw|seen|read|see|vi|lo vi|leo|lei|oi|escuche|heard|got this|got it|came) (?:it |this |that |eso |algo )?"
    r"(?:on|en|from|de|por) (?:the |la |el |mi |my )?(?:facebook|fb|face|tiktok|tik tok|snap|snapchat|insta|"
    r"instagram|ig|twitter|x|nextdoor|whatsapp|telegram|reddit|news|noticias|telemundo|univision|youtube|radio|"
    r"tv|tele|a post|un post|otro grupo|el grupo|another group|(?:\w+ ){0,3}(?:group|grupo|chat|gc))|"
    r"(?:on|en) (?:facebook|fb|tiktok|snap|snapchat|insta|instagram|nextdoor|telemundo|univision|reddit|"
    r"twitter|las noticias|the radio|la radio|the news|air)|my (?:feed|timeline|fyp)|"
    r"(?:a|un) (?:post|video|audio|mensaje|msg|message) (?:on|en|from|de|that|que|q|saying|diciendo)|"
    r"(?:in|en|on) (?:the|el|otro|another|a|un|mi|my) (?:\w+ ){0,3}(?:group|grupo|chat|gc)(?: \w+){0,2} "
    r"(?:said|says|say|saying|dicen|dice|dijeron|posted|publicaron)|"
    r"i (?:didnt|did not|dont|do not|havent|have not) see|not seen (?:it )?myself|dont see myself|"
    r"(?:im|i am|i was|i wasnt|i was not) not there(?: myself)?|(?:im|i am) not there|i wasnt there|"
    r"(?:havent|have not|didnt|did not) (?:seen|see) (?:anything|it|them|nothing) (?:myself|yo)|"
    r"no (?:estoy|estuve|estaba) (?:ahi|alli|alla)(?: yo)?|yo no (?:lo |los )?vi|no lo vi yo|not mine|"
    r"passing (?:it|this) (?:along|on)|passing along|solo (?:lo )?paso|lo paso como|"
    r"no (?:lo |la |los |las )?(?:vi|he visto|hemos visto)(?: yo)?(?: pero| but|,|$)|only shar|solo compart|"
    r"no idea if (?:its |it is )?true|no se si (?:es )?(?:cierto|verdad)|not sure if (?:its |it is )?true)"
    r"(?![\w])")
"""Someone else's claim, in the sentence that carries it: "my cousin says", "dicen", "saw on facebook"."""
FORWARD = words(
    r"fwd?", r"fw", r"forwarded", r"forwarding", r"reenviado", r"reenviando", r"reenvio", r"reenviar(?:on)?", r"reenviaron", r"quoting(?: from)?", r"citando", r"passing (?:it|this) (?:along|on)", r"passing along", r"mensaje reenviado",
    r"copied", r"copiado", r"copy paste", r"copypaste", r"pasen la voz", r"pass it on", r"pass this on",
    r"share this", r"please share", r"plz share", r"pls share", r"share share", r"compartan", r"comparte",
    r"difundan", r"avisen a todos", r"tell everyone", r"warn everyone", r"rumou?rs?", r"rumores", r"apparently",
    r"supposedly", r"supuestamente", r"allegedly", r"dizque", r"dicque", r"unconfirmed", r"sin confirmar",
    r"sent by a trusted source", r"from a friend", r"friend of a friend", r"shared from", r"compartido de",
    r"via (?:whatsapp|facebook|fb|tiktok|telegram)", r"chismes?", r"chisme:",
)
"""The whole message is someone else's: a forward, a rumour passed on."""

GUESSING = words(
    r"prob", r"probs", r"probably", r"prolly", r"probablemente", r"maybe", r"might be", r"must be",
    r"could be", r"ha de ser", r"han de ser", r"deben de ser", r"debe de ser", r"deben ser", r"debe ser",
    r"deben (?:de )?andar", r"debe (?:de )?andar", r"seguro (?:que |q )?(?:ahorita )?(?:es|son|era|eran|fue|fueron|andan|anda|"
    r"estan|vienen|rondando)", r"i bet", r"i guess", r"i think", r"i feel like", r"feels like",
    r"gut feeling", r"bad feeling", r"a feeling", r"presiento", r"presentimiento", r"corazonada",
    r"(?:yo )?creo (?:que|q) (?:es|son|era|eran|anda|andan|hay|la migra|ice|los de|son de|es de)", r"parece(?:n)? (?:que|q|ser)", r"looks like (?:it could|it might)",
    r"kinda looks like", r"looks? like (?:ice|la migra|feds|agents|migra)", r"se me hace (?:que|q)", r"sospecho", r"i suspect", r"a lo mejor", r"tal vez",
    r"quizas", r"capaz (?:que|q)", r"siempre vienen", r"always come", r"usually come", r"gotta be", r"has to be",
    r"tiene que ser",
)
QUESTION_START = re.compile(
    r"^(?:(?:hey|oye|oigan|guys|gente|y|and|so|ok|pls|porfa|quick q|question|pregunta|u guys|you guys)[, ]+)?"
    r"(?:r (?:they|u|ice)|is|are|was|were|(?:does|do|did) (?:you|u|they|we|anyone|anybody|ice|the|yall|y'all|it)|has|have|any|anyone|"
    r"anybody|any1|can (?:someone|anyone|somebody|u|you|i|we)|should (?:i|we)|puedo|podemos|"
    r"could (?:someone|anyone)|who|whos|what|whats|where|wheres|why|how|hows|should|es (?:cierto|verdad) (?:que|q|lo)|"
    r"sera|seran|saben|alguien (?:sabe|ha|vio|esta|puede|tiene|me puede|cerca|por|anda)|hay (?:algo|alguien)|que (?:onda|pasa|paso|es eso|son esos)|q onda|q pasa|"
    r"donde|quien|y en|y por|alguna|algun|someone confirm|u guys|you guys|que tal|como esta|cuantos|cuantas|"
    r"how many|which|cual|cuales|pa donde|para donde|ya alguien|alguien ya|de (?:que|q) (?:color|lado|marca|tipo)|what color|que color)(?![\w])")
"""How a question opens, in a sentence without a question mark."""
QUESTION_ANYWHERE = words(
    r"anyone (?:know|knows|kno|knw|seen|see|near|nearby|around|confirm|able|there|else see)", r"anybody kno", r"any1 kno",
    r"anybody (?:know|seen|near|around|confirm)", r"does anyone",
    r"alguien (?:sabe|ha visto|vio|esta cerca|cerca|por ahi|por alla)", r"or no", r"o no", r"or not", r"or are they", r"or is it", r"o ya$", r"or nah$", r"or what$",
    r"is (?:it|this|that) (?:true|real|legit)", r"sera cierto", r"any (?:update|news|info)s?",
    r"alguna (?:novedad|noticia)", r"que saben", r"is it safe", r"es seguro", r"what(?:s| is) going on",
    r"que esta pasando", r"real or fake", r"which is it", r"or is (?:that|it|this)", r"is there really",
    r"(?:or|o) (?:ya )?(?:se fueron|left|gone|no|chisme|rumor)", r"(?:or|o) (?:es )?(?:chisme|rumor|mentira|fake|real)",
    r"i wonder if", r"me pregunto si", r"anyone sabe", r"(?:o|or) (?:todavia|still|siguen|aun)", r"tell me if", r"dime si", r"diganme si", r"let me know if", r"avisenme si", r"(?:want|wants|wanted|need|needs) to know (?:if|whether)",
    r"quieren? saber si", r"(?:or|o) (?:q|que|what)$", r"o no$", r"alguien knows", r"(?:anyone|anybody|someone) (?:\w+ ){0,4}(?:can|could) "
    r"(?:see|check|look)", r"me dice si", r"me dicen si", r"let me know if",
    r"avisen si",
)
VERIFY_QUESTION = words(
    r"is (?:it|this|that) (?:true|real|legit)", r"(?:es|sera) (?:cierto|verdad|real)", r"real or fake",
    r"which is it", r"or is (?:that|it|this)", r"is there really", r"is this (?:happening|legit)",
    r"(?:or|o) (?:es |nomas es |just |is it )?(?:chisme|rumou?r|mentira|fake|cuento)", r"(?:o no|or not)$",
)
"""Asks whether what others say is true: a question, even about a rumour."""
REQUEST = words(
    r"can (?:anyone|someone|somebody|u|you) (?:confirm|check|verify|go|look|see|come)",
    r"alguien (?:puede|pueden|que pueda|q pueda) (?:ir|checar|confirmar|ver)", r"someone confirm",
    r"confirm pls", r"pls confirm", r"please confirm", r"confirmen", r"alguien (?:me )?confirma",
    r"(?:que|q) confirme", r"(?:que|q) (?:vaya|vayan) a ver",
)
ACTIVITY_QUESTION = words(
    r"any (?:update|news|info|word)s?", r"alguna (?:novedad|noticia)", r"is it safe", r"es seguro",
    r"what(?:s| is) (?:going on|happening)", r"que (?:esta )?pas(?:a|ando|o)", r"q (?:onda|pasa|paso)",
    r"que onda", r"todo (?:ok|bien|tranquilo)", r"all (?:ok|good|clear)", r"(?:seen|vio|visto|viste|saw) "
    r"(?:anything|algo)", r"anything (?:going on|happening)", r"hay algo", r"algo raro", r"is this real",
    r"es (?:cierto|verdad)", r"confirm", r"confirma", r"real or fake", r"(?:any )?reports? (?:around|near|by|cerca)", r"the \w+ (?:one|thing)", r"lo (?:de|del)",
    r"esos? (?:son|es)", r"are those", r"is that", r"still (?:there|at|on|here)", r"siguen", r"se fueron",
    r"gone", r"safe", r"seguro (?:ir|salir|pasar)", r"(?:is|was) (?:it|this|that) (?:true|real|ok|okay)",
    r"the [\w& -]{2,40} (?:one|thing)", r"(?:is|was) there (?:really |actually )?(?:something|anything)", r"van a (?:volver|regresar)", r"(?:vuelven|regresan)", r"(?:are they|r they) coming back", r"(?:anyone|anybody|any1|someone|somebody)(?! else) (?:near|at|by|around|"
    r"close|in|on|over|down)", r"(?:hay )?alguien (?:cerca|por|en|x)", r"alguien sabe algo", r"active alert",
    r"(?:ve|ven|vio|vieron) algo", r"como esta(?: todo)?", r"todo en paz", r"que tal", r"checkpoints?",
    r"en paz", r"tranquilo", r"activity", r"confirmed", r"reports? (?:from|in|on|at)", r"reportes?", r"novedades?",
    r"is (?:the )?[\w ]{2,30} (?:ok|okay|safe|clear)$", r"esta (?:bien|segur[oa]|tranquil[oa]) (?:la|el)", r"eyes on", r"ok to (?:go|take|walk|drive|pass)", r"donde (?:estan|andan|esta)",
    r"where (?:are|r) they", r"(?:which way|where) did they", r"pa(?:ra)? donde (?:se fueron|van|agarraron)",
    r"(?:alguien|anyone|someone|somebody) (?:fue|went|go|ya fue) (?:a ver|to check|to look)", r"cuantos", r"how many", r"sightings?", r"anything", r"something (?:happening|going on)",
    r"esta segur[oa]", r"(?:are|r) (?:they|them|agents|ice)", r"(?:is|are) (?:ice|agents|they|la migra)",
)
"""Questions about what is happening (not every question is: "who has the hotline number?")."""
