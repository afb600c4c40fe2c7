"""The words that say whether a sighting stands: denied, false, benign, over, gone, moved, and when (now,
recent, past, future), plus the chatter, moderation and drill talk that is no sighting at all. Pure data,
over folded text, like `lexicon` (who knows, and what)."""

from __future__ import annotations

import re

from alertrelay.bot.core.lexicon import words

NEGATORS = (r"(?:no|not|nor|never|nunca|ni|sin|zero|cero|none|nobody|nadie|nothing|nada|without|dont|didnt|"
            r"doesnt|isnt|arent|wasnt|werent|aint|cant|couldnt|havent|hasnt|no more|no longer|ya no|tampoco|"
            r"not a single|ningun|ninguna|ninguno|ni un|ni una|no hay|no habia|no vi|no veo)")
NEGATED_MENTION = re.compile(r"(?<![\w])" + NEGATORS + r"(?![\w])(?: +[^\s,]+){0,3}? +$")
"""A negator within three words before a mention: "no agents", "not a single ICE van", "ni una camioneta"."""

DENIAL = words(
    r"not (?:ice|immigration|migra|la migra|agents|feds|enforcement|them|an? ice)",
    r"(?:isnt|arent|wasnt|werent|aint|not) (?:ice|immigration|migra|agents|feds|real|them|enforcement)",
    r"no (?:es|son|era|eran|fue|fueron) (?:de )?(?:la )?(?:migra|ice|inmigracion|agentes|ellos|federales|"
    r"migracion|real|cierto|verdad)",
    r"nothing to do with (?:ice|immigration|migra)", r"nada que ver con (?:la )?(?:migra|ice|inmigracion)",
    r"nada q ver", r"nothing to do w", r"(?:que|q) (?:migra|ice|agentes|federales) ni (?:que|q) (?:nada|ocho cuartos)",
    r"nothing (?:immigration|ice)", r"its not here", r"(?:there was |there were )?never (?:any |an? )?(?:ice|agents|"
    r"migra|raid)", r"nunca (?:hubo|vino|vinieron|llego|llegaron|estuvo|estuvieron)", r"never came", r"no es (?:de )?(?:aqui|hoy|ahora)",
    r"no (?:es|son|era|eran|fue) (?:un |una |el |la )?(?:reten|redada|operativo|checkpoint|raid|retenes)",
    r"(?:isnt|wasnt|not) (?:a |an )?(?:raid|checkpoint|enforcement)",
)
"""Denies that it is enforcement: "not ICE", "no es migra"."""

FALSITY = words(
    r"fake", r"falso", r"falsa", r"false", r"hoax", r"mentira", r"made (?:it|that|this) up", r"got it wrong",
    r"is wrong", r"was wrong", r"are wrong", r"esta mal", r"no es cierto", r"no es verdad", r"not true",
    r"isnt true", r"wasnt true", r"falsa alarma", r"false alarm", r"quien invento", r"who made (?:it|this|that) up",
    r"debunked", r"(?:fue|was) (?:un |a )?(?:error|mistake)", r"(?:video|photo|pic|post|screenshot|foto)s? (?:is |es )?"
    r"(?:from|de) (?:\d{4}|last|another|years|hace)", r"based on (?:an? )?(?:old|ring|\d{4})", r"there (?:was|were) never", r"never any (?:ice|agents|migra)", r"nunca hubo",
    r"(?:its|thats|is|was|es|era) (?:from|de) (?:yesterday|ayer|this morning|esta manana|earlier|another day|hace|"
    r"last|la semana pasada|el ano pasado)",
    r"not real", r"no es real", r"bogus", r"misinformation", r"desinformacion", r"invento", r"inventado",
    r"is (?:old|edited|photoshopped)",
    r"es (?:viejo|vieja|de otro lado|editado|editada|falso|falsa)", r"(?:is|was|es|era|its|thats) from (?:last|another|a different|"
    r"\d{4}|texas|california|chicago|la|houston|arizona|years?)", r"es de (?:otro|otra|texas|california|\d{4}|hace)",
    r"reverse image", r"recycled", r"reciclad[oa]", r"(?:video|photo|pic|post|screenshot|foto)s? (?:is |es |was |era )?(?:from|de) (?:\w+ ){1,5}(?:last (?:month|year|week)|another|years ago|hace|\d{4})", r"nobody said that", r"nadie dijo eso", r"es (?:un |puro )?rumor", r"just a rumou?r",
    r"solo (?:es )?(?:un )?rumor", r"only a rumou?r",
    r"sure and im", r"ya (?:lo )?checamos", r"we checked", r"checked with",
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
    r"paramedics?", r"security(?: guards?)?", r"seguridad", r"census", r"censo", r"compania del gas", r"del gas", r"dea", r"fbi", r"atf", r"narcoticos", r"park police", r"census bureau", r"probation(?: officers?)?", r"plumbing(?: company)?",
    r"security company", r"compania de seguridad", r"jehovah", r"testigos", r"mormons?",
    r"missionaries", r"misioneros", r"repo(?: man| truck| guys)?", r"process server", r"film crew", r"movie",
    r"filming (?:a |an )?(?:movie|show|commercial|video|pelicula)", r"school bus", r"metro transit", r"animal control", r"perrera", r"(?:patrullas?|policia) (?:del estado|estatal)", r"plumbers?", r"contractors?",
    r"landlord", r"inspectors?", r"delivery (?:vans?|trucks?|guys|drivers)", r"movers", r"moving truck",
    r"uhaul", r"u-haul", r"garbage truck", r"basura", r"snow ?plows?", r"comcast", r"xfinity",
    r"aseguradora", r"insurance", r"bail bonds?", r"ems", r"church (?:van|bus)", r"school (?:van|security)", r"mndot", r"road (?:work|crew|construction)",
    r"public works", r"obras publicas", r"(?:park|parks|school|city|county|building|hotel) (?:board )?(?:staff|"
    r"workers|employees|crew)", r"staff", r"trabajadores de la ciudad", r"securitas", r"election", r"canvassers?",
    r"health inspectors?", r"accident(?:e)?", r"film (?:shoot|set|production)", r"photo shoot", r"bounty hunters?",
    r"social workers?", r"trabajadores? sociales?", r"county (?:workers|social)", r"(?:del )?distrito escolar",
    r"school district", r"ice delivery", r"reddy ice", r"realtors?", r"cable company", r"compania del cable",
    r"del cable", r"comcast", r"funeraria", r"funeral(?: home)?", r"hearse",
    r"carroza", r"velorio", r"wedding", r"boda", r"guards?", r"guardia", r"el guardia", r"electricians?",
    r"paramedicos", r"cable (?:guys?|company)", r"roofers?", r"landscapers?", r"survey(?:ors?|ing)",
    r"census takers?", r"campaign(?:ers)?", r"(?:cable|internet|phone|telephone|gas|electric|water|plumbing|landscaping|lawn|delivery|moving|construction|roofing|painting|tree|pest|window|solar) (?:trucks?|vans?|company|companies|crews?|guys|service)", r"(?:compania|empresa) (?:de|del) (?:internet|cable|telefono|luz|gas|agua|jardineria|landscaping|mudanzas|construccion)", r"landscaping(?: company)?", r"from the (?:city|county|state|park board|school district|water department)", r"de la ciudad", r"del condado", r"pintando (?:las )?lineas", r"ice cream(?: trucks?| vans?| man| guy)?", r"paleter[oa]s?", r"(?:carrito|camion|troca) de (?:los )?(?:helados|paletas|elotes|tacos)", r"eloter[oa]s?", r"food trucks?", r"taco trucks?", r"school resource officers?", r"resource officers?", r"sros?", r"open house", r"bienes raices", r"fire drill", r"simulacro de incendio", r"tornado drill", r"canvass(?:ers|ing)", r"evangelists?", r"pest control",
)
"""What people mistake for enforcement."""

BENIGN_NEGATED = re.compile(r"(?:no way|not|isnt|arent|no|no es|no son|no eran|no era|nunca)(?: (?:its|it is|"
                            r"thats|theyre|a|an|the|el|la|los|las|un|una|de|de la|del|just))* $")
"""Right before a benign name, a negator denies it: "no way it's a plumber", "no son de la policia"."""
IDENTIFY_NEAR = re.compile(
    r"(?<![\w])(?:its|it is|thats|that is|those are|those r|these are|they are|they r|theyre|they were|is|are|was|were|es|son|era|eran|"
    r"fue|just|only|solo|nomas|puro|puros|namas|im|i am|soy|dicen?|says?|say)(?: (?:a|an|the|el|la|los|las|un|una|unos|de|del|de la|our|"
    r"nuestro|nuestra|new|nuevo|nueva|"
    r"just|only|some|regular|normal|local|city|county|hennepin|ramsey|from|the same|los mismos|mas|pinche|a couple|"
    r"my|mi|our|his|her|su|mis|sus|"
    r"minneapolis|st paul|saint paul|park|metro|state|federal|private|mpls|the city|"
    r"two|three|dos|tres|[a-z]+ county))*"
    r"(?: (?:vans?|trucks?|cars?|camionetas?|trocas?|carros?|suvs?|guys|men|hombres|senores|people|gente|workers|crew)"
    r"(?: (?:de|del|de la|from|of|with))?(?: (?:the|la|el|los|las))?)?\s*$")
"""Right before a benign name: "those are (the) ...", "es (el) ...", "it's just ..."."""
IDENTIFY = words(
    r"its", r"it is", r"it was", r"its just", r"thats", r"that is", r"thats just", r"those are", r"these are",
    r"they are", r"theyre", r"they were", r"just", r"only", r"es", r"son", r"era", r"eran", r"fue",
    r"solo", r"nomas", r"puro", r"puros", r"namas", r"were", r"are", r"is", r"was", r"im a", r"i am a", r"soy",
)
ENDED = words(
    r"gone", r"left", r"have left",
    r"(?:they|agents|ice|vans?|suvs?|trucks?|cars?|them|the last (?:one|van|car|truck|suv)) (?:are |r |just |all )?"
    r"(?:leaving|leave)", r"pulling (?:out|away|off)", r"driving (?:off|away)", r"heading out", r"se despejo",
    r"despejaron", r"back to (?:its |their |the )?(?:usual|normal)", r"como (?:si )?nada", r"(?:we|were|we are|everyone|"
    r"everybody|all|its|it is|area|street|block|corner|todos) (?:is |are )?(?:ok|okay|safe|fine) now", r"has left", r"pulled (?:out|away|off)",
    r"drove (?:off|away)", r"drive (?:off|away)", r"driving (?:off|away)", r"rolled (?:out|off)",
    r"took off", r"go away", r"went away", r"going away", r"moved on", r"cleared out", r"packed up",
    r"theyre out", r"se fueron", r"se fue", r"se van", r"se estan yendo", r"se retiraron",
    r"se arrancaron", r"se largaron", r"se salieron", r"arrancaron", r"ya no (?:estan|esta|hay|se ven|veo)",
    r"no longer", r"anymore", r"not there anymore", r"no more", r"all clear", r"clear", r"despejad[oa]",
    r"ya paso", r"termino", r"terminaron", r"se acabo", r"its over", r"is over", r"regreso la calma",
    r"volvio la calma", r"back to normal", r"reopened", r"reabrio",
    r"came back out", r"safe now", r"all good", r"se acaban? de ir", r"acaban de irse", r"limpio", r"esta limpio", r"(?:have |has )?departed", r"se marcharon", r"se marcho", r"todo bien", r"todo tranquilo", r"ya no$", r"not anymore", r"turned off (?:at|on|onto)", r"took the exit", r"lost (?:them|em)", r"se desviaron",
    r"^over$", r"^done$",
    r"se retiraron", r"ya se (?:retiraron|fueron|fue)",
    r"ya (?:todo )?(?:tranquilo|calmado|normal|bien|libre|seguro)", r"pasen sin miedo", r"ya pueden salir",
)
"""It is over: they left, the place is clear."""

ABSENCE = words(
    r"not there", r"nobody", r"nobodys", r"no (?:ha habido|hubo|paso) nada", r"nothing happened", r"no ?one", r"noone", r"no ones", r"theres nothing", r"theres nobody", r"nadie", r"nadien", r"nothing", r"nada", r"empty", r"vacio",
    r"vacia", r"quiet", r"tranquil[oa]", r"calm", r"calmado", r"normal", r"como siempre", r"as usual",
    r"just (?:regular|normal|shoppers|people|customers|traffic)", r"no sign", r"ni rastro",
    r"(?:only|just|nomas|solo|puro|puros|namas) (?:a |the |el |la |los |las |unos? |unas? )?(?:city bus|bus|guy|guys|"
    r"people|gente|shoppers|customers|clientes|regular|normal|kids|neighbou?rs|vecinos|traffic|trafico|guardia|"
    r"abuelitas|vendors|vendedores|workers|trabajadores|la nieve|snow|the usual|lo normal)",
    r"(?:zero|no|cero|ningun|ninguna|ni una?|not a single|not one|no hay|no habia|no vi|no veo|didnt see|"
    r"did not see|dont see|havent seen|cant see) (?:\w+ ){0,2}?(?:agents?|agentes|ice|migra|vans?|cars?|carros?|them|em|"
    r"suvs?|trucks?|camionetas?|trocas?|vehicles?|patrullas?|one|anyone|anything|nobody|nadie|nada|enforcement|"
    r"federales|feds|activity|sign)",
)
"""Nobody there. Under an open sighting, evidence against it; after an alert, an all-clear."""

ARRIVAL = words(
    r"ya llegaron", r"llegaron", r"acaban de llegar", r"(?:theyre|they are|they r) (?:here|back|outside|at the door|"
    r"in the (?:building|store|lobby|hallway))", r"estan (?:aqui|aca|afuera)",
    r"they are here", r"theyre here", r"(?:theyre|they are) back", r"regresaron", r"(?:they|theyre) (?:just )?(?:showed up|arrived)",
)
"""They came: in a network's chat, "they" are the agents."""
RELOCATED = words(
    r"(?<!is )(?<!was )(?<!been )(?<!be )(?<!are )(?<!were )(?<!got )moved", r"(?<!is )(?<!be )(?<!traffic )(?<!cars )moving(?! (?:normal|normally|fine|again|freely|along|slow))", r"se movieron", r"se estan moviendo", r"moviendose", r"van (?:hacia|pa|para) (?:la|el)", r"se pasaron", r"se cambiaron", r"switched", r"relocated",
    r"over to", r"pal otro lado", r"para el otro lado", r"ahora (?:estan|andan)", r"now theyre",
    r"now they are", r"se fueron (?:pa|para|a) (?:la|el)", r"(?:they|theyre|they are) back", r"ya volvieron",
    r"came back", r"split up", r"se fueron (?:al|a otro|a la otra|arriba|abajo)", r"(?:went|moved|gone) (?:upstairs|downstairs|to another|to the other|next door)",
    r"(?:gone|left|se fueron) (?:from|de) [^,.]{2,40}[, ]+(?:now|ahora) (?:on|at|in|en|por)",
)
AFFIRM = re.compile(
    r"^(?:y+e+s+|ye+p+|yu+p+|yeah+|yea|ya+|ok confirm\w*|si+|sip|simon|claro|cierto|verdad|true|correct|"
    r"same|same here|me too|yo tambien|aun|es verdad|es cierto|si es cierto|its true|its real|aun ahi|aun estan|\+\s?1|\+\s?2|confirm(?:ed|ing|o)?|confirmad[oa]|can confirm|"
    r"still(?: there| here)?|siguen(?: ahi| aqui)?|todavia(?: estan| siguen)?|ahi (?:estan|siguen)|"
    r"i see them(?: too)?|los veo|yo tambien los veo|true that|this|^)$")
"""A bare confirmation, meaningful only under an open sighting."""

PRESENCE = words(
    r"still (?:there|here|at|in|on|by|near|parked|outside|around|going|doing|waiting|sitting|blocking)",
    r"siguen", r"todavia (?:estan|siguen|hay|andan)", r"(?:theyre|they are|they r|estan|andan|estan parados|"
    r"hay) (?:ahi|aqui|aca|alli|here|there|right there|outside|afuera|enfrente|adentro|inside|at|in|on|by|"
    r"near|en|por|parked|sitting|waiting|blocking|parados|circling|going|doing|taking|checking|moving)",
    r"(?:more|mas) (?:cars|vans|trucks|agents|camionetas|agentes|patrullas) (?:coming|arriving|llegando|"
    r"just|now)", r"ya son \d+", r"now \d+", r"now there(?:s| are) \d+", r"\d+ (?:more|mas)", r"total \d+",
    r"siguen llegando", r"llegaron mas", r"\d+ (?:now|ahora)", r"acaban de (?:llegar|entrar)", r"just (?:arrived|pulled up|showed up)",
    r"blocked", r"blocking", r"bloquearon", r"taped off", r"cerraron", r"(?:theyre|they are|estan|andan|anduvieron) "
    r"(?:\w+ )?(?:hitting|doing|raiding|rondando|preguntando|circling|staging|patrolling|patrullando|dando vueltas)",
    r"(?:theyre|they are|they r) (?:\w+ )?(?:at|in|on|by|outside|inside|near)", r"(?:estan|andan) (?:\w+ )?(?:en|por|x)",
    r"ahi (?:andan|siguen|estan)", r"andar (?:por|en|x)", r"(?:they|theyre|they are|they r) (?:deadass |really |literally |def |"
    r"definitely |still |all )?(?:out here|out there|outside|out in|out at|out on|here|there|posted)",
    r"(?:anduvieron|andaban|estuvieron|estaban) (?:\w+ )?(?:en|por|x)", r"still (?:\d+|two|three|[a-z]+ (?:vans|cars|agents|suvs|trucks))",
)
"""Present tense presence: an update under an open sighting, or a sighting with agents named."""

NOW = words(
    r"now", r"rn", r"right now", r"ahora", r"ahorita", r"ahora mismo", r"ahorita mismo", r"still",
    r"todavia", r"siguen", r"currently", r"at the moment", r"en este momento", r"just now", r"atm",
    r"as we speak", r"live", r"en vivo", r"happening", r"este momento", r"ya mismo", r"orita", r"horita",
    r"ahoritita", r"now now", r"currently",
)
RECENT = words(
    r"(?:\d+|a few|few|couple|a couple of|two|three|five|ten|like \d+) (?:min|mins|minutes|minutos|minuto) ago",
    r"hace (?:\d+|unos|un par de|como) (?:min|mins|minutos|minuto)", r"hace (?:poco|rato|ratito|un rato|un momento)",
    r"just now", r"acaba de", r"acaban de", r"acabo de", r"recien", r"just (?:saw|pulled|arrived|drove|walked|took|"
    r"grabbed|put|passed|got|blocked|showed|stopped|came|went|watched|left|rolled)",
)
PAST = words(
    r"yesterday", r"yday", r"yest", r"hours ago", r"hace horas", r"that was hours", r"last (?:night|nite|week|month|year|winter|summer|spring|fall|time|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)",
    r"this morning", r"earlier today", r"from earlier", r"earlier this (?:morning|week|month)",
    r"(?:\d+|a few|few|couple|couple of|two|three|four|five|six|several) (?:hours?|hrs?|days?|weeks?|"
    r"months?|years?) (?:ago|before|back)", r"an hour ago", r"a day ago", r"a week ago", r"a month ago",
    r"ayer", r"anoche", r"antier", r"anteayer", r"antenoche", r"esta manana", r"en la manana",
    r"por la manana", r"temprano", r"hoy temprano", r"this am", r"early this",
    r"hace (?:\d+|un|una|unas|unos|dos|tres|cuatro|cinco|varias|varios|mas de una?) (?:horas?|hrs?|dias?|"
    r"semanas?|mes|meses|anos?)", r"(?:el|la) (?:semana|mes|ano) pasad[oa]", r"el otro dia", r"the other day",
    r"(?:el|este) (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)(?: pasado)?",
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday) (?:morning|night|afternoon|evening)",
    r"on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    r"(?:in|en) (?:january|february|march|april|june|july|august|september|october|november|december|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)",
    r"remember (?:the|when)", r"the week before last", r"la semana antepasada", r"antepasad[oa]", r"^(?:so )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    r"(?:two|three|\d+) (?:mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|lunes|martes|miercoles|jueves|"
    r"viernes|sabados|domingos) (?:ago|back|atras)", r"over the weekend", r"el weekend", r"el fin de semana", r"last weekend",
    r"(?:this|that|it) (?:was|happened) (?:on |at )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"last|yesterday|\d)", r"happened (?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)", r"this past (?:weekend|week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    r"past weekend", r"te acuerdas", r"se acuerdan", r"back in", r"years? ago", r"never (?:going|gonna) "
    r"(?:to )?forget", r"nunca (?:lo )?voy a olvidar", r"still think about", r"todavia me da", r"still shaking",
    r"was (?:around|at like|about) \d", r"at (?:like |around )?\d{1,2} ?(?:am|a\.m)\b", r"a las \d+ de la manana",
    r"como a las \d", r"last (?:time|year)", r"hora y media", r"an hour and a half", r"hace (?:una|como una) hora", r"(?:cuando|when) (?:fui|went)", r"madrugada", r"en navidad",
    r"on christmas", r"me toco ver", r"it was like \d+ hours", r"hace (?:como |unas? |mas de |casi |ya )?(?:\d+|una|dos|tres|cuatro|cinco|varias|un par de) (?:horas|hrs|hora)",
    r"(?:like|about|around|como|unas) \d+ (?:hours?|hrs?|horas?)(?: ago| back)?", r"on the (?:morning|night|afternoon|evening) of", r"of the \d{1,2}(?:st|nd|rd|th)(?! (?:st|street|ave|av|avenue))",
)
"""Long over: a story, not a sighting."""

FUTURE = words(
    r"tomorrow", r"tmrw", r"tonight", r"this weekend", r"next week", r"(?<!la )(?<!esta )manana",
    r"pasado manana", r"esta noche", r"going to (?:raid|come|be)", r"gonna (?:raid|come)",
    r"will (?:raid|come|be|block|check)", r"van a (?:venir|hacer|llegar|estar)", r"planning", r"planean",
)
PAST_NARRATIVE = words(
    r"habia", r"estaban", r"estuvieron", r"detenian", r"esposaban", r"veia", r"veiamos", r"andaban",
    r"paraban", r"se llevaban", r"pasaron", r"vinieron", r"tocaron", r"llegaron", r"they were", r"there were",
    r"they came", r"came to", r"they had", r"was there", r"did (?:this|the same)", r"hicieron lo mismo",
    r"yo estaba ahi", r"i was there", r"i watched it", r"lo vi", r"same spot", r"mismo lugar",
)
"""Past tense: with a past time cue elsewhere in the message, it tells the story."""
HYPOTHETICAL = words(
    r"if (?:ice|they|theyre|they are|its|it is|there are|theres|agents|la migra|the feds|anyone|someone|you|nobody|no one)", r"si (?:llega|llegan|viene|vienen|ves|"
    r"ven|te|la migra|ice)", r"si (?:\w+ )?(?:detienen|detuvieron|paran|llevan|llevaron|agarran|arrestan)", r"in case", r"en caso de", r"what to do if", r"que hacer si", r"when ice comes",
    r"cuando (?:llegue|vengan|venga)", r"just in case", r"por si", r"pretend", r"training scenario", r"(?<!fire )(?<!tornado )(?<!lockdown )drill",
    r"what would you do", r"que harian", r"until (?:we |they |someone |i )?(?:say|says|confirm|tell)", r"(?:hasta|hasta que|hasta q) (?:les )?(?:digamos|avisemos|confirmen|confirmemos|avisen)", r"if (?:a|an|the|you|u|we|i)", r"si (?:ven|ves|te|le|les|un|una|nos|me)",
    r"hypothetically", r"every (?:suv|car|van|truck|white van|camioneta|troca)s? (?:in (?:this|the|my)|looks?|around here|que veo)", r"(?:aunq|aunque|even if|incluso si) (?:\w+ )?(?:digan|dicen|say|they say)", r"hipoteticamente", r"simulacro", r"escenario de practica", r"practice scenario",
    r"training exercise", r"(?:a|this is a|es un) drill", r"(?:are|is) (?:not )?(?:allowed|permitted)", r"(?:can|cannot|cant|may|must|need to|have to|pueden|no pueden|tienen que|necesitan) (?:lie|mentir|enter|entrar|come in|arrest|arrestar|show|mostrar|have|tener|get|break)", r"(?:need|needs|necesitan?) (?:a |una )?(?:judicial )?(?:warrant|orden)", r"si (?:estan|esta) segur[oa]s?", r"practice",
)
CHATTER = words(
    r"reminder", r"recordatorio", r"admins?", r"mods?", r"moderators?", r"moderadora?s?", r"coordinators?",
    r"know your rights", r"conozca sus derechos", r"conoce tus derechos", r"you have the right",
    r"tienes derecho", r"tienen derecho", r"derecho a", r"right to remain", r"dont open", r"do not open",
    r"no abran", r"no abras", r"hotline", r"linea de ayuda", r"(?:know your rights|kyr|red) cards?", r"tarjetas? (?:rojas?|de derechos)", r"lawyer", r"abogad[oa]", r"on my way", r"omw",
    r"heading (?:there|over)", r"voy para", r"voy pa", r"vamos para", r"going (?:there|over)", r"who can go",
    r"quien puede ir", r"stay safe", r"cuidense", r"thank", r"thanks", r"thx", r"gracias", r"pray", r"oremos",
    r"training", r"meeting", r"reunion", r"volunteer", r"voluntari[oa]s?", r"rapid response", r"rally",
    r"protest", r"march", r"marcha", r"vigil", r"vigilia", r"heading to", r"on the way", r"en camino",
    r"be there in", r"\d+ min(?:utes|s)? out", r"to film", r"a grabar", r"a observar", r"who else", r"alguien mas va", r"bringing", r"(?:bring|brought|bringing|traigo|llevo|want|some|hot) (?:\w+ )?coffee", r"coffee (?:and|or|for)", r"hand warmers",
    r"snacks", r"cream or sugar",
    r"with my (?:camera|phone|vest)", r"anyone else (?:coming|going|around|here|on the way)", r"reminder",
    r"dont (?:share|forward|spread|repost)", r"do not (?:share|forward|spread|repost|post)", r"no reenvien",
    r"no (?:lo |la )?compartan", r"donate", r"donations", r"donen", r"fundraiser", r"juntando",
    r"warrant", r"orden (?:firmada|judicial)", r"judge", r"juez", r"cuidense", r"be safe", r"be careful",
    r"stay inside", r"quedense", r"(?:if|si) (?:anyone|someone|alguien|somebody) (?:needs?|necesita|ocupa)", r"(?:le|te|los|las) (?:lleve|llevo)", r"(?:i|we) can (?:drive|give|take) (?:a |someone|anyone|people|u|you)", r"(?:need|needs|necesita|necesitan) (?:a )?(?:ride|raite|aventon)", r"puedo (?:llevar|manejar|dar raite)", r"(?:please |pls |plz |por favor )?(?:dont|do not|no) (?:post|share|publiquen|suban|pongan) (?:faces|caras|plates|placas|"r"names|nombres|fotos|photos|pics)", r"(?:can|could) you (?:add|include|say|post|share|tell us|give)", r"avoid (?:the |that |esa |ese |this )?(?:area|zona|spot|block)", r"eviten (?:la|esa|el) (?:zona|area)", r"take (?:otra|another|a different) (?:ruta|route|way)", r"plan familiar", r"family plan",
)
DISMISS = words(
    r"relax", r"calm down", r"calmense", r"calmate", r"no se asusten", r"tranquilos", r"tranquilas", r"false alarm",
    r"falsa alarma", r"chill", r"no panic", r"dont panic", r"nothing to worry about",
)
"""Telling people not to worry: what it names is not enforcement."""
FYI = words(
    r"fyi", r"para (?:q|que) sepan", r"nomas para", r"carry on", r"just so you know", r"heads up", r"no panic",
    r"dont panic", r"nothing to worry", r"no hay de que preocuparse",
)
"""An unprompted note that something is not enforcement, with nothing open to correct."""
WARNING_ABOUT_POSTS = words(
    r"(?:ojo con|cuidado con|careful with|be careful (?:with|of)|beware(?: of)?|watch out for|aguas con|"
    r"pendientes? (?:con|de))(?: \w+){0,3} (?:fake|false|old|falsos|falsas|viejos|viejas|mensajes|screenshots?|posts?|"
    r"alerts?|alertas|rumou?rs|rumores|videos|fotos|audios|cadenas)",
    r"(?:fake|false|old) (?:alerts|posts|screenshots|messages|rumou?rs) (?:going around|circulating)",
    r"(?:sending|posting|spreading|sharing|mandando|enviando|pasando) (?:\w+ ){0,2}(?:fake|false|falsos|falsas|old|viejos|viejas)",
    r"(?:mensajes|alertas|screenshots|posts|audios|cadenas) (?:falsos|falsas|viejos|viejas) (?:que )?(?:circulan|andan)",
)
"""A warning about posts going around in general ("ojo con los mensajes falsos"): a notice, no claim."""
MODERATION = words(
    r"mods?", r"moderators?", r"moderadora?s?", r"admins?", r"administrador(?:a|es)?", r"warning about", r"aviso",
    r"nota del equipo", r"equipo de verificacion", r"verification team", r"verifiers?", r"verificadores?",
    r"coordinators?", r"coordinador(?:a|es)?", r"organizers?", r"not confirmed", r"no (?:esta )?confirmado",
    r"cant verify", r"could not verify", r"we have not confirmed",
)
"""Who speaks for the network, or says a post is unconfirmed: a notice, not someone passing a rumour on."""
REAL_ESTATE = words(
    r"real estate", r"realtors?", r"open house", r"showed us (?:a|the) (?:house|home|place|apartment|condo)",
    r"showing (?:us )?(?:a |the )?(?:house|home|apartment|condo|property)", r"show the (?:house|home|apartment|condo)",
    r"house hunting", r"bienes raices", r"listing", r"for sale", r"se vende", r"closing on",
)
"""Words of house-buying: with them, "agents" are the realtor's."""
INSTRUCTION = words(
    r"(?:please |pls |plz |por favor )?(?:dont|do not|no) (?:post|share|forward|spread|repost|publiquen|compartan|"
    r"suban|reenvien|pongan|manden)",
    r"(?:dont|do not|no) (?:run|hide|corran|se escondan|escondanse|salgan|abran|open)",
)
"""Telling people what (not) to post: what it names is the subject of the rule, not a sighting."""
NOTICE = words(
    r"mods?", r"moderators?", r"moderadora?s?", r"admins?", r"administrador(?:a|es)?", r"warning about",
    r"aviso", r"nota del equipo", r"equipo de verificacion", r"verification team", r"coordinators?",
    r"coordinador(?:a|es)?", r"organizers?", r"going around", r"circula", r"circulando", r"circulating",
    r"not confirmed", r"no (?:esta )?confirmado", r"cant verify", r"could not verify", r"we have not confirmed",
)
"""Moderators' notices and warnings about posts going around."""
MOTION = words(r"turning (?:toward|towards|onto|on|left|right)", r"heading (?:toward|towards|to|north|south|east|west)",
               r"rumbo a", r"going (?:toward|towards|north|south|east|west)", r"pulled out of", r"salieron de",
               r"(?:north|south|east|west)bound")
"""On the move toward somewhere: with nothing open, a sighting, not an all-clear."""
STILL = words(
    r"still (?:there|here|at|on|in|by|parked|outside|inside|around|waiting|sitting|blocking|standing|going|doing|"
    r"checking|taking|\d+|two|three|four|some|a few|ahi|aqui)", r"(?:theyre|they are|are) still", r"still$", r"siguen", r"sigue", r"todavia (?:estan|siguen|hay|andan|esta)", r"(?<!right to )(?<!choose to )remain(?:ing|s)?(?! silent)", r"quedan",
    r"se quedaron", r"the other (?:one|ones|van|car|truck)s? (?:is|are)", r"not gone(?: yet)?", r"no se han ido", r"los otros", r"(?:\d+|two|three|dos|tres) "
    r"(?:more|mas)", r"more (?:just|keep)", r"siguen llegando", r"haven?t left", r"not leaving", r"(?:one|1|una|un|the first|el primer|la primera) (?:of the )?(?:vans?|cars?|trucks?|suvs?|camionetas?|trocas?|carros?) (?:is |just )?(?:leaving|left|pulled out|se fue|se va|salio)", r"still behind (?:me|us)", r"no se (?:van|han ido)", r"no se (?:han )?(?:movido|mueven|movieron)", r"(?:havent|have not|hasnt|has not|didnt|did not|not) (?:moved|budged)", r"siempre (?:ahi|alli|alla|estan|siguen|andan)",
)
"""Still there (a partial departure is not an all-clear)."""
OVER = words(
    r"is over", r"its over", r"all clear", r"the last (?:one|ones|agents?|vans?|cars?|trucks?|suvs?)", r"ya no",
    r"no more", r"anymore", r"no longer", r"se acabo", r"termino", r"ya paso", r"clear", r"ya se fue", r"ya se fueron",
    r"ya se retiraron", r"ya no (?:estan|hay|esta)", r"ya no$", r"go away", r"went away", r"se fueron",
)
"""Said to be over, not just moving."""
POST_MENTION = words(
    r"(?:ice|migra|la migra) (?:post|alert|message|msg|rumou?r|video|photo|pic|story|screenshot)s?",
    r"(?:post|message|alert|video|photo|pic|rumou?r|story|mensaje|alerta|foto|screenshot|msj)s? (?:about|of|de|del|"
    r"sobre|de la) (?:the |la |el )?(?:ice|migra|agents|agentes|redada|raid)",
)
"""A post about ICE: someone else's claim, mentioned."""
RETRO_DATE = words(r"(?:this|that|it) (?:was|happened)", r"eso fue", r"esto fue", r"esto paso", r"eso paso",
                   r"this is from", r"happened (?:on|at|around)")
"""A story dated at its end: "…I'm holding the door shut. that was at 11pm last night"."""
DRILL_SELF = words(r"this is (?:a |only a |just a )?(?:drill|test|practice)", r"esto es (?:un |una |solo un )?(?:simulacro|prueba|practica)",
                   r"practice alert", r"alerta de (?:practica|prueba)", r"test alert")
"""The message says it is itself a rehearsal."""
DRILL = words(r"(?<!fire )(?<!tornado )(?<!lockdown )drill", r"simulacro", r"practice scenario", r"escenario de practica", r"training exercise",
              r"role ?play", r"this is a test", r"es (?:una )?prueba", r"es practica")
"""A rehearsal: the sighting it quotes is not real, and it says so."""
SARCASM = re.compile(r"^(?:sure|yeah right|ya right|si como no|aja|sure sure)(?![\w])")
HEDGED_NEGATION = words(r"no se si", r"not sure if", r"idk if", r"dont know if", r"no se(?= si| que| q| donde| cuando| cuantos| cuantas| nada| bien|$|,)", r"dunno if",
                        r"no idea if", r"ya no se")
