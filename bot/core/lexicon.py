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
        r"abuela|abuelo|novia|novio|companero|companera)s?")
_SAY = (r"(?:says?|said|saying|tells?|told|texted|texting|called|calling|messaged|sent|saw|seen|heard|"
        r"posted|shared|dice|dicen|dijo|dijeron|cuenta|conto|contaron|mando|mandaron|escribio|vio|llamo|"
        r"aviso|avisaron|comento|publico|puso)")

AGENTS = words(
    r"ice", r"i\.c\.e\.?", r"la migra", r"migra", r"migras", r"migracion", r"inmigracion", r"immigration",
    r"agents?", r"agentes?", r"feds", r"federales", r"federal agents", r"border patrol", r"cbp", r"hsi",
    r"ero", r"dhs", r"homeland security", r"la pinche migra",
    r"(?:guys|men|dudes|people|officers|tipos|hombres|señores|senores) (?:in|with|con|w/?) (?:vests?|chalecos?)",
    r"chalecos?", r"vests? (?:that say|saying|que dice)",
)
"""Who enforces. "ice" here is the agency; weather and food senses are blanked first (NOT_AGENTS)."""

NOT_AGENTS = words(
    r"black ice", r"icy", r"ice (?:cream|rink|skating|fishing|fishermen|house|houses|storm|dam|dams|cubes?|"
    r"machine|maker|pack|palace|castle|festival|sculptures?|bar|bars|cold|covered|everywhere|age|hockey|"
    r"melt|melting|breaking|broke|thin|thick|rescue)",
    r"(?:the|on|thin|pure|solid|a sheet of|sheets of|glare|of) ice", r"ice (?:on|in) (?:the )?(?:roads?|"
    r"streets?|sidewalks?|steps|driveway|lake|lakes|river|alley|bridge|parking lot|lot)",
    r"(?:wild|gophers|hockey) (?:game|on the ice)", r"hielo", r"skating rink", r"rink", r"helado",
    r"(?:real estate|travel|insurance|leasing|rental|customer service|free|secret|sports|state farm|"
    r"booking|ticket|talent) agents?", r"agentes? (?:de bienes raices|de seguros|de la aseguradora|de viajes)",
    r"ice t", r"ice spice", r"vanilla ice",
)
VEHICLES = words(
    r"suvs?", r"vans?", r"minivans?", r"trucks?", r"pickups?", r"trocas?", r"trokas?", r"troks?",
    r"camionetas?", r"camionetitas?", r"carros?", r"cars?", r"sedans?", r"tahoes?", r"suburbans?",
    r"expeditions?", r"explorers?", r"durangos?", r"chargers?", r"vehicles?", r"vehiculos?", r"convoy",
    r"caravana", r"autos?", r"coches?", r"patrullas?",
)
SUSPICIOUS = words(
    r"unmarked", r"sin placas?", r"sin marcas?", r"sin logos?", r"no (?:front |back |rear |license )?plates?",
    r"no markings", r"no logos?", r"tinted(?: windows)?", r"blacked out", r"vidrios polarizados",
    r"polarizad[oa]s", r"government plates?", r"placas (?:de gobierno|federales)", r"gov plates?",
    r"plates? covered", r"with a cage", r"con jaula",
)
"""Vehicles that alone say enforcement; a plain van needs agents, an action or an open sighting."""

ACTIONS = words(
    r"arrest(?:ed|ing|s)?", r"detain(?:ed|ing|s)?", r"detaining", r"grabb(?:ed|ing)", r"grabs?",
    r"cuff(?:ed|ing|s)?", r"handcuff(?:ed|ing|s)?", r"zip ?tied?",
    r"(?:took|taking|take|takes|taken|pulling|pulled|dragging|dragged|chasing|chased|tackled|snatched|"
    r"picked up|picking up|put|putting|shoving|forcing) (?:a|an|one|two|three|\d+|some|someone|somebody|"
    r"him|her|people|ppl|guys?|men|man|woman|women|lady|ladies|kids?|workers?|a guy|the guy|my)",
    r"(?:checking|asking for|asking (?:ppl|people|everyone|guys|men|drivers) for|demanding) "
    r"(?:ids?|papers|documents|docs|identification|licen[cs]es?)",
    r"stopping (?:people|ppl|cars|drivers|guys|men|everyone|anyone|folks|workers)",
    r"questioning (?:people|ppl|someone|a|workers|everyone)", r"door to door", r"door knocks?",
    r"knocking (?:on )?doors", r"banging on (?:the )?doors?", r"traffic stops?", r"checkpoint", r"check point",
    r"raid(?:ing|ed|s)?", r"redadas?", r"operativos?", r"retenes?", r"reten",
    r"se (?:lo |la |los |las )?(?:llevaron|llevan|llevo|estan llevando|lleva)",
    r"agarr(?:aron|ando|an|o)", r"detuvieron", r"deteniendo", r"detienen", r"arrestaron", r"arrestando",
    r"esposaron", r"esposando", r"levantaron a", r"pidiendo (?:papeles|documentos|ids?|identificacion|"
    r"licencias?|la mica)", r"revisando (?:papeles|documentos|ids?|a la gente|carros|a todos)",
    r"(?:sacando|bajando|parando|correteando|persiguiendo) (?:a )?(?:la )?(?:gente|personas|carros|trabajadores|"
    r"a todos|a uno|a una|a un)", r"tocando (?:las )?puertas", r"de puerta en puerta", r"casa por casa",
)
"""What enforcement does. Any of these alone makes a message about enforcement."""

FIRST_HAND = words(
    r"i see", r"i can see", r"i saw", r"i just saw", r"i seen", r"im seeing", r"i am seeing", r"seeing them",
    r"im (?:at|in|on|by|near|inside|outside|here|there|looking|watching|standing|parked|across|right)",
    r"i am (?:at|in|on|by|near|inside|outside|here|there|looking|watching|standing)",
    r"i was just", r"i just (?:drove|walked|went|passed|got|came|left)", r"just (?:drove|walked|went) (?:by|past)",
    r"drove (?:by|past)", r"walked (?:by|past)", r"from my (?:window|porch|car|balcony|house|apartment|door|"
    r"job|work|yard)", r"in front of me", r"i count(?:ed)?", r"counted", r"my own eyes", r"with my eyes",
    r"watching them", r"looking at them", r"i work", r"i live", r"i talked to", r"i spoke to", r"i asked",
    r"estoy", r"estamos", r"yo (?:estoy|los|las|lo|la|vi|veo)", r"los (?:estoy viendo|veo|vi|vimos)",
    r"las (?:veo|vi)", r"lo (?:veo|vi)", r"(?:acabo|acabamos) de (?:ver|pasar|salir|llegar)", r"vi",
    r"veo", r"vimos", r"desde (?:mi|la) (?:ventana|casa|carro|trabajo|puerta|balcon)", r"enfrente de mi",
    r"aqui (?:en|enfrente|afuera|adentro|estan|siguen)", r"pase por", r"pasamos por", r"hable con",
    r"vivo", r"trabajo (?:en|enfrente|ahi|aqui)", r"mis propios ojos", r"con mis ojos",
)
SECOND_HAND = re.compile("|".join([
    r"(?<![\w])(?:my|mi|mis|our|nuestra|nuestro|a|the|el|la|his|her|su) " + _KIN + r"(?![\w])(?:.{0,40}?)"
    r"(?<![\w])" + _SAY + r"(?![\w])",
    r"(?<![\w])(?:fwd?|fw|forwarded|reenviado|reenvio|copied|copiado|copy paste|copypaste|pasen la voz|"
    r"pass it on|pass this on|share this|please share|plz share|pls share|compartan|comparte|difundan|"
    r"rumou?rs?|rumores|apparently|supposedly|allegedly|dizque|dicque|dicen|dicen que|me dijeron|me contaron|"
    r"me avisaron|me llego|me llegaron|me mandaron|me pasaron|escuche|oi que|heard|i hear|hearing|"
    r"people (?:are |r )?saying|everyone(?:s| is)? saying|ppl (?:are )?saying|word is|they say|segun|"
    r"according to|from a friend|friend of a friend|a friend of|sent by a|got a (?:text|message|msg|call)|"
    r"getting (?:texts|messages|msgs)|texted me|told me|tell me|telling me|sent me|called me|"
    r"someone (?:said|says|say|posted|told|texted|sent|in)|somebody (?:said|says|posted|told|in)|"
    r"alguien (?:dijo|dice|puso|publico|posteo|subio|mando|comento|me dijo)|"
    r"(?:saw|seen|read|see|vi|lo vi|leo|lei) (?:it |this |that )?(?:on|en) (?:facebook|fb|face|tiktok|"
    r"tik tok|snap|snapchat|insta|instagram|ig|twitter|x|nextdoor|whatsapp|telegram|reddit|the news|"
    r"las noticias|telemundo|univision|youtube|a post|un post|otro grupo|el grupo)|"
    r"(?:on|en) (?:facebook|fb|tiktok|snap|snapchat|insta|instagram|nextdoor|telemundo|univision|"
    r"reddit|twitter|las noticias)|"
    r"(?:a|un) (?:post|video|audio|mensaje|msg|message) (?:on|en|from|de|that|que|q|saying|diciendo)|"
    r"(?:in|en) (?:the|el|otro|another|a|un|mi|my) (?:\w+ ){0,3}(?:group|grupo|chat|gc)|"
    r"i (?:didnt|did not|dont|do not|havent|have not) see|not seen (?:it )?myself|"
    r"no (?:lo |la |los |las )?(?:vi|he visto|hemos visto)|only shar|solo compart|no (?:se|sabemos) si es cierto)"
    r"(?![\w])",
]))
"""Who knows second-hand: a relative or someone else says, a post, a forward, a rumour."""

GUESSING = words(
    r"prob", r"probs", r"probably", r"prolly", r"probablemente", r"maybe", r"might be", r"must be",
    r"could be", r"ha de ser", r"han de ser", r"deben de ser", r"debe de ser", r"deben ser", r"debe ser",
    r"seguro (?:es|son|era|eran|andan|anda|estan|vienen)", r"i bet", r"i guess", r"i think (?:its|it is|they)",
    r"creo que (?:es|son|era|eran)", r"creo q (?:es|son|era|eran)", r"parece(?:n)? (?:que|q|ser)",
    r"looks like (?:it could|it might)", r"kinda looks like", r"se me hace que", r"sospecho", r"suspect",
    r"a lo mejor", r"tal vez", r"quizas", r"capaz que",
)
QUESTION_START = re.compile(
    r"^(?:(?:hey|oye|oigan|guys|gente|y|and|so|ok|pls|porfa|quick q|question|pregunta|alguien|anyone)[, ]+)?"
    r"(?:is|are|was|were|does|do|did|has|have|any|anyone|anybody|any1|can (?:someone|anyone|somebody|u|you)|"
    r"could (?:someone|anyone)|who|what|whats|where|wheres|why|how|hows|when|should|es cierto|es verdad|"
    r"sera|seran|saben|sabe|alguien|hay (?:algo|alguien|migra|ice|agentes)|que (?:onda|pasa|paso|es|son)|"
    r"q onda|q pasa|donde|cuando|quien|como|siguen|estan|hay|y en|y por|alguna|algun|confirm|confirmen|"
    r"someone confirm|u guys|you guys)(?![\w])")
QUESTION_ANYWHERE = words(
    r"anyone (?:know|knows|seen|see|near|nearby|around|confirm|able|there|else see)",
    r"anybody (?:know|seen|near|around|confirm)", r"does anyone", r"can (?:anyone|someone|somebody) "
    r"(?:confirm|check|verify|go|look|see)", r"alguien (?:sabe|ha visto|vio|esta|puede|pueden|confirma|"
    r"me confirma|cerca|por ahi|por alla|tiene)", r"or no", r"o no", r"or not", r"is (?:it|this|that) (?:true|"
    r"real|legit)", r"es (?:cierto|verdad|real)", r"sera cierto", r"any (?:update|news|info)s?",
    r"alguna (?:novedad|noticia)", r"que saben", r"is it safe", r"es seguro", r"what(?:s| is) going on",
    r"que esta pasando", r"confirm pls", r"pls confirm", r"please confirm", r"confirmen", r"real or fake",
)
NEGATORS = (r"(?:no|not|nor|never|nunca|ni|sin|zero|cero|none|nobody|nadie|nothing|nada|without|dont|didnt|"
            r"doesnt|isnt|arent|wasnt|werent|aint|cant|couldnt|havent|hasnt|no more|no longer|ya no|tampoco|"
            r"not a single|ningun|ninguna|ninguno|ni un|ni una|no hay|no habia|no vi|no veo)")
NEGATED_MENTION = re.compile(r"(?<![\w])" + NEGATORS + r"(?![\w])(?:[ ,]+\S+){0,3}?[ ,]+$")
"""A negator within three words before a mention: "no agents", "not a single ICE van", "ni una camioneta"."""

DENIAL = words(
    r"not (?:ice|immigration|migra|la migra|agents|feds|enforcement|them|an? ice)",
    r"(?:isnt|arent|wasnt|werent|aint|not) (?:ice|immigration|migra|agents|feds|real|them|enforcement)",
    r"no (?:es|son|era|eran|fue|fueron) (?:de )?(?:la )?(?:migra|ice|inmigracion|agentes|ellos|federales|"
    r"migracion|real|cierto|verdad)",
    r"nothing to do with (?:ice|immigration|migra)", r"nada que ver con (?:la )?(?:migra|ice|inmigracion)",
    r"nada q ver", r"nothing to do w",
)
"""Denies that it is enforcement: "not ICE", "no es migra"."""

FALSITY = words(
    r"fake", r"falso", r"falsa", r"false", r"hoax", r"mentira", r"made (?:it|that|this) up", r"got it wrong",
    r"is wrong", r"was wrong", r"are wrong", r"esta mal", r"no es cierto", r"no es verdad", r"not true",
    r"isnt true", r"wasnt true", r"falsa alarma", r"false alarm", r"quien invento", r"who made",
    r"no (?:lo )?(?:reenvien|compartan|compartas|reenvies)", r"dont (?:share|forward|spread|repost)",
    r"do not (?:share|forward|spread|repost)", r"stop (?:sharing|forwarding|spreading)", r"debunked",
    r"not real", r"no es real", r"bogus", r"misinformation", r"desinformacion", r"invento", r"inventado",
)
BENIGN = words(
    r"tow(?:ing)?(?: trucks?)?", r"towing", r"gruas?", r"amazon", r"dhl", r"ups", r"fedex", r"usps",
    r"mail (?:truck|carrier|man)", r"cartero", r"xcel", r"centerpoint", r"gas company", r"compania de gas",
    r"(?:de )?la luz", r"electric(?:ity)? (?:company|crew|workers)", r"utility(?: crew| workers| company)?",
    r"power (?:company|line|crew)", r"bucket truck", r"water (?:dept|department|main)", r"city (?:crew|"
    r"workers|trucks?|cops|police|inspectors?)", r"construction", r"construccion", r"mpd", r"spd",
    r"(?:regular|normal|local|city|mpls|minneapolis|st paul|saint paul|campus|school) (?:police|cops|squad)",
    r"police", r"policia(?: normal| local| de \w+)?", r"cops?", r"squad cars?", r"la patrulla(?: de \w+)?",
    r"sheriffs?", r"deputies", r"deputy", r"marshals?", r"us marshals?", r"state patrol", r"troopers?",
    r"firefighters?", r"fire (?:truck|trucks|department|dept)", r"bomberos", r"ambulances?", r"ambulancia",
    r"paramedics?", r"security(?: guards?)?", r"seguridad", r"census", r"jehovah", r"testigos", r"mormons?",
    r"missionaries", r"misioneros", r"repo(?: man| truck| guys)?", r"process server", r"film crew", r"movie",
    r"filming", r"school bus", r"metro transit", r"animal control", r"plumbers?", r"contractors?",
    r"landlord", r"inspectors?", r"delivery (?:vans?|trucks?|guys|drivers)", r"movers", r"moving truck",
    r"uhaul", r"u-haul", r"garbage truck", r"basura", r"snow ?plows?", r"comcast", r"xfinity",
    r"aseguradora", r"insurance", r"bail bonds?", r"narcoticos", r"dea",
)
"""What people mistake for enforcement."""

IDENTIFY = words(
    r"its", r"it is", r"it was", r"its just", r"thats", r"that is", r"thats just", r"those are", r"these are",
    r"they are", r"theyre", r"they were", r"just", r"only", r"es", r"son", r"era", r"eran", r"fue",
    r"solo", r"nomas", r"puro", r"puros", r"namas", r"were", r"are", r"is", r"was",
)
ENDED = words(
    r"gone", r"left", r"leave", r"leaving", r"have left", r"has left", r"pulled (?:out|away|off)",
    r"drove (?:off|away)", r"drive (?:off|away)", r"driving (?:off|away)", r"rolled (?:out|off)",
    r"took off", r"go away", r"went away", r"going away", r"moved on", r"cleared out", r"packed up",
    r"are out", r"theyre out", r"se fueron", r"se fue", r"se van", r"se estan yendo", r"se retiraron",
    r"se arrancaron", r"se largaron", r"se salieron", r"arrancaron", r"ya no (?:estan|esta|hay|se ven|veo)",
    r"no longer", r"anymore", r"not there", r"no more", r"all clear", r"clear", r"despejad[oa]",
    r"ya paso", r"termino", r"terminaron", r"se acabo", r"its over", r"is over", r"regreso la calma",
    r"volvio la calma", r"back to normal", r"reopened", r"reabrio", r"ya abrieron", r"volvieron",
    r"came back out", r"safe now", r"ok now", r"okay now", r"all good", r"todo bien", r"todo tranquilo",
    r"ya (?:todo )?(?:tranquilo|calmado|normal|bien|libre|seguro)", r"pasen sin miedo", r"ya pueden salir",
)
"""It is over: they left, the place is clear."""

ABSENCE = words(
    r"nobody", r"no ?one", r"noone", r"nadie", r"nadien", r"nothing", r"nada", r"empty", r"vacio",
    r"vacia", r"quiet", r"tranquil[oa]", r"calm", r"calmado", r"normal", r"como siempre", r"as usual",
    r"just (?:regular|normal|shoppers|people|customers|traffic)", r"no sign", r"ni rastro",
    r"(?:zero|no|cero|ningun|ninguna|ni una?|not a single|not one|no hay|no habia|no vi|no veo|didnt see|"
    r"did not see|dont see|havent seen|cant see) (?:\w+ ){0,2}?(?:agents?|agentes|ice|migra|vans?|cars?|"
    r"suvs?|trucks?|camionetas?|trocas?|vehicles?|patrullas?|one|anyone|anything|nobody|nadie|nada|enforcement|"
    r"federales|feds|activity|sign)",
)
"""Nobody there. Under an open sighting, evidence against it; after an alert, an all-clear."""

RELOCATED = words(
    r"moved", r"moving", r"se movieron", r"se pasaron", r"switched", r"relocated", r"now (?:at|on|in|by)",
    r"over to", r"pal otro lado", r"para el otro lado", r"ahora (?:estan|en|por)", r"now theyre",
    r"now they are", r"heading (?:to|into)", r"went to", r"se fueron (?:pa|para|a) (?:la|el)",
)
AFFIRM = re.compile(
    r"^(?:y+e+s+|ye+p+|yu+p+|yeah+|yea|ya+|ok confirm\w*|si+|sip|simon|claro|cierto|verdad|true|correct|"
    r"same|same here|me too|yo tambien|\+\s?1|\+\s?2|confirm(?:ed|ing|o)?|confirmad[oa]|can confirm|"
    r"still(?: there| here)?|siguen(?: ahi| aqui)?|todavia(?: estan| siguen)?|ahi (?:estan|siguen)|"
    r"i see them(?: too)?|los veo|yo tambien los veo|true that|this|^)$")
"""A bare confirmation, meaningful only under an open sighting."""

PRESENCE = words(
    r"still (?:there|here|at|in|on|parked|outside|around|going|doing|waiting|sitting|blocking)",
    r"siguen", r"todavia (?:estan|siguen|hay|andan)", r"(?:theyre|they are|they r|estan|andan|estan parados|"
    r"hay) (?:ahi|aqui|aca|alli|here|there|right there|outside|afuera|enfrente|adentro|inside|at|in|on|by|"
    r"near|en|por|parked|sitting|waiting|blocking|parados|circling|going|doing|taking|checking|moving)",
    r"(?:more|mas) (?:cars|vans|trucks|agents|camionetas|agentes|patrullas) (?:coming|arriving|llegando|"
    r"just|now)", r"ya son \d+", r"now \d+", r"now there(?:s| are) \d+", r"\d+ (?:more|mas)", r"total \d+",
    r"siguen llegando", r"llegaron mas", r"acaban de (?:llegar|entrar)", r"just (?:arrived|pulled up|showed up)",
    r"blocked", r"blocking", r"bloquearon", r"taped off", r"cerraron",
)
"""Present tense presence: an update under an open sighting, or a sighting with agents named."""

NOW = words(
    r"now", r"rn", r"right now", r"ahora", r"ahorita", r"ahora mismo", r"ahorita mismo", r"still",
    r"todavia", r"siguen", r"currently", r"at the moment", r"en este momento", r"just now", r"atm",
    r"as we speak", r"live", r"en vivo", r"happening", r"este momento", r"ya mismo",
)
RECENT = words(
    r"(?:\d+|a few|few|couple|a couple of|two|three|five|ten|like \d+) (?:min|mins|minutes|minutos|minuto)"
    r"(?: ago)?", r"hace (?:\d+|unos|un par de|como|poco|rato|ratito|un rato|un momento)(?: \w+)?",
    r"just", r"acaba de", r"acaban de", r"recien",
)
PAST = words(
    r"yesterday", r"yday", r"yest", r"last (?:night|nite|week|month|year|winter|summer|spring|fall|time|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)",
    r"this morning", r"earlier today", r"from earlier", r"earlier this (?:morning|week|month)",
    r"(?:\d+|a few|few|couple|couple of|two|three|four|five|six|several) (?:hours?|hrs?|days?|weeks?|"
    r"months?|years?) (?:ago|before|back)", r"an hour ago", r"a day ago", r"a week ago", r"a month ago",
    r"ayer", r"anoche", r"antier", r"anteayer", r"antenoche", r"esta manana", r"en la manana",
    r"por la manana", r"temprano", r"hoy temprano", r"this am", r"early this",
    r"hace (?:\d+|un|una|unas|unos|dos|tres|cuatro|cinco|varias|varios|mas de una?) (?:horas?|hrs?|dias?|"
    r"semanas?|mes|meses|anos?)", r"(?:el|la) (?:semana|mes|ano) pasad[oa]", r"el otro dia", r"the other day",
    r"(?:el|este) (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)(?: pasado)?",
    r"on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    r"(?:in|en) (?:january|february|march|april|june|july|august|september|october|november|december|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)",
    r"remember (?:the|when)", r"te acuerdas", r"se acuerdan", r"back in", r"years? ago", r"never (?:going|gonna) "
    r"(?:to )?forget", r"nunca (?:lo )?voy a olvidar", r"still think about", r"todavia me da", r"still shaking",
    r"was (?:around|at like|about) \d", r"at (?:like |around )?\d{1,2} ?(?:am|a\.m)\b", r"a las \d+ de la manana",
    r"como a las \d", r"last (?:time|year)", r"(?:cuando|when) (?:fui|went)",
)
"""Long over: a story, not a sighting."""

FUTURE = words(
    r"tomorrow", r"tmrw", r"tonight", r"this weekend", r"next week", r"manana(?! (?:en|a|por))(?<!la manana)",
    r"pasado manana", r"esta noche", r"el fin de semana", r"going to (?:raid|come|be)", r"gonna (?:raid|come)",
    r"will (?:raid|come|be|block|check)", r"van a (?:venir|hacer|llegar|estar)", r"planning", r"planean",
)
HYPOTHETICAL = words(
    r"if (?:ice|they|agents|la migra|the feds|anyone|someone|you)", r"si (?:llega|llegan|viene|vienen|ves|"
    r"ven|te|la migra|ice)", r"in case", r"en caso de", r"what to do if", r"que hacer si", r"when ice comes",
    r"cuando (?:llegue|vengan|venga)", r"just in case", r"por si",
)
CHATTER = words(
    r"reminder", r"recordatorio", r"admins?", r"mods?", r"moderators?", r"moderadora?s?", r"coordinators?",
    r"know your rights", r"conozca sus derechos", r"conoce tus derechos", r"you have the right",
    r"tienes derecho", r"tienen derecho", r"derecho a", r"right to remain", r"dont open", r"do not open",
    r"no abran", r"no abras", r"hotline", r"linea de ayuda", r"lawyer", r"abogad[oa]", r"on my way", r"omw",
    r"heading (?:there|over)", r"voy para", r"voy pa", r"vamos para", r"going (?:there|over)", r"who can go",
    r"quien puede ir", r"stay safe", r"cuidense", r"thank", r"thanks", r"thx", r"gracias", r"pray", r"oremos",
    r"training", r"meeting", r"reunion", r"volunteer", r"voluntari[oa]s?", r"rapid response",
)
HEDGED_NEGATION = words(r"no se si", r"not sure if", r"idk if", r"dont know if", r"no se")
