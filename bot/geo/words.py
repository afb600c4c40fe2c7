"""Small hand-kept word lists for the matcher (English and Spanish chat)."""
from __future__ import annotations

#: words that join two streets into a corner ("Lake & Bloomington", "la 7 y arcade", "Bloomington Av at 35th")
CONNECTORS = {"&", "and", "y", "e", "con", "x", "/", "at", "@", "n", "an", "und", "esq", "esquina", "corner",
              "crossing", "cruce", "off", "by", "near", "cerca", "of", "de", "del", "on", "w", "with", "between", "entre"}
#: connectors that make a corner certain (others, like "by"/"near", only suggest it)
STRONG_CONNECTORS = {"&", "and", "y", "e", "con", "x", "/", "at", "@", "n", "an", "esq", "esquina", "corner", "cruce",
                     "crossing", "between", "entre", "w", "with"}
#: filler allowed between two streets of a corner ("y la", "and the", "esquina con la")
FILLER = {"la", "el", "the", "las", "los", "of", "de", "del", "a"}

#: words before a street or place that say "a place follows" (English/Spanish)
CUES = {"on", "at", "en", "la", "por", "de", "del", "sobre", "along", "down", "up", "near", "by", "off", "in",
        "into", "from", "esquina", "corner", "cruce", "around", "thru", "through", "across", "past", "outside",
        "cerca", "frente", "enfrente", "afuera", "pa", "pal", "hacia", "toward", "towards", "to", "over",
        "under", "behind", "detras", "calle", "avenida", "barrio", "@", "x", "nearby", "al"}
#: cues that make a bare "la 28" read as a street (Spanish article + number)
NUM_STREET_CUES = {"la", "calle", "avenida", "on", "en", "esquina", "por", "sobre"}
#: words before a neighbourhood name that say it is a neighbourhood
AREA_CUES = {"in", "en", "around", "through", "thru", "across", "barrio", "neighborhood", "neighbourhood", "hood",
             "near", "cerca", "de", "from", "del", "por", "all", "over", "el", "of"}
AREA_AFTER = {"neighborhood", "neighbourhood", "area", "barrio", "hood", "community", "district"}
#: words after which a street is a direction of travel, not the place ("heading toward Chicago")
TRAVEL = {"toward", "towards", "hacia", "pal", "to", "into", "onto", "pa", "para", "rumbo", "direction", "direccion",
          "heading", "headed", "going", "went", "fueron", "left"}

#: station cue words (near a station name they make it the station)
STATION_CUES = {"station", "stn", "stop", "lrt", "platform", "platforms", "estacion", "tren", "train", "lightrail",
                "rail", "line", "linea", "blue", "green", "azul", "verde", "metro", "depot", "parada"}
#: words skipped when looking for a station cue next to a station name
STATION_SKIP = {"st", "av", "pkwy", "the", "la", "el", "de", "del", "light", "los", "las", "a"}

#: words after a bare number that make it a count, not a street ("2 cars", "la lake y 2 carros")
COUNT_NOUNS = {"cars", "car", "carros", "carro", "trucks", "truck", "trocas", "troca", "camionetas", "camioneta", "suvs",
               "suv", "vans", "van", "agents", "agentes", "agent", "guys", "men", "hombres", "people", "personas", "ppl",
               "officers", "oficiales", "vehicles", "vehiculos", "min", "mins", "minutes", "minutos", "hours", "hrs",
               "horas", "more", "mas", "unmarked", "black", "white", "grey", "gray", "dark", "negras", "negros",
               "blancas", "blancos", "blanca", "negra", "sin", "of", "de", "or", "o", "times", "veces", "blocks",
               "block", "blk", "blks", "cuadra", "cuadras", "cuadrita", "cuadritas", "kids", "ninos", "women", "mujeres", "señores", "senores", "patrullas", "police", "policias",
               "sedans", "tahoes", "buses", "minivans", "pickups", "motos", "ice", "migra"}
#: common nouns that are also (minor) street names: only a street with a type word ("Church St")
STREET_STOP = {"church", "park", "school", "market", "river", "center", "plaza", "hospital", "library", "main", "home",
               "house", "state", "court", "commerce", "station", "view", "college", "garden", "gate", "water", "spring",
               "grove", "field", "bridge", "mall", "oak", "elm", "pine", "sunset", "long", "hill", "valley", "village",
               "summit", "front", "industrial", "service", "parking", "west", "east", "north", "south",
               "ice", "time", "way", "lot", "bus", "train", "light", "rail", "line", "green", "blue", "red", "orange",
               "white", "black", "brown", "gold", "silver", "royal", "union", "city", "town", "hall", "office", "post",
               "sports", "stadium", "target", "cub", "hope", "grace", "faith", "victory", "liberty", "freedom", "peace",
               "minneapolis", "saint", "paul", "mound", "metro", "transit", "airport", "federal", "capitol"}

#: common chat words that must never be fuzzy-corrected into a place name
COMMON = set(["a", "about", "above", "across", "after", "again", "against", "agent", "agents", "ago", "ahi", "ahora", "ahorita", "al", "algo", "alguien", "all", "allá", "alla", "alli", "almost", "alone", "along", "already", "also", "although", "always", "am", "among", "an", "and", "anda", "andan", "another", "any", "anybody", "anyone", "anything", "anyway", "are", "area", "around", "as", "ask", "asking", "at", "avoid", "away", "back", "bad", "be", "because", "been", "before", "behind", "being", "below", "best", "better", "between", "big", "black", "block", "blocks", "blue", "both", "bring", "brother", "building", "buildings", "bus", "but", "by", "call", "calle", "came", "camionetas", "camioneta", "can", "car", "carro", "carros", "cars", "careful", "carefully", "case", "center", "chalecos", "check", "checking", "children", "clear", "close", "cold", "come", "coming", "con", "confirm", "confirmed", "corner", "could", "counted", "counting", "cousin", "crowd", "cuidado", "cuidense", "daughter", "day", "dark", "de", "del", "did", "didnt", "different", "do", "does", "doing", "dont", "door", "doors", "down", "drive", "driving", "drove", "during", "each", "early", "east", "either", "else", "empty", "en", "enfrente", "entre", "era", "es", "esa", "ese", "eso", "esquina", "esta", "estaba", "estan", "estas", "este", "esto", "estoy", "everyone", "everything", "exit", "exits", "face", "faces", "family", "far", "fast", "few", "film", "find", "first", "five", "for", "forward", "four", "friend", "friends", "from", "front", "gas", "gate", "gente", "get", "gets", "getting", "give", "go", "going", "gone", "good", "got", "gracias", "gray", "great", "green", "grey", "group", "guy", "guys", "had", "happen", "happened", "happening", "has", "have", "having", "he", "heads", "hear", "heard", "help", "her", "here", "hey", "him", "his", "hola", "home", "hour", "hours", "house", "how", "hoy", "i", "ice", "id", "if", "im", "in", "inside", "is", "isnt", "it", "its", "job", "just", "keep", "kids", "know", "la", "las", "last", "late", "left", "let", "like", "line", "little", "long", "look", "looking", "los", "lot", "main", "make", "man", "many", "may", "maybe", "me", "men", "migra", "min", "minute", "minutes", "mi", "mis", "mom", "more", "morning", "most", "move", "moved", "moving", "mucho", "muchos", "my", "near", "nearby", "need", "never", "new", "news", "next", "night", "no", "nobody", "north", "not", "nothing", "now", "number", "of", "off", "oficiales", "officers", "ok", "okay", "old", "on", "once", "one", "only", "open", "or", "other", "our", "out", "outside", "over", "para", "parada", "parked", "parking", "people", "person", "personas", "pero", "phone", "photos", "picked", "pictures", "place", "plates", "please", "pls", "por", "porque", "pretty", "pulled", "put", "que", "quiet", "raid", "ready", "real", "really", "red", "report", "reports", "right", "road", "rn", "round", "running", "safe", "said", "same", "saw", "say", "school", "se", "see", "seen", "send", "sent", "service", "share", "she", "shelter", "should", "side", "sin", "since", "small", "so", "some", "someone", "something", "son", "south", "spread", "stand", "standing", "started", "stay", "staying", "still", "stop", "stopped", "stopping", "store", "street", "streets", "stuck", "such", "suv", "suvs", "take", "taking", "talking", "tell", "than", "thank", "thanks", "that", "the", "their", "them", "then", "there", "these", "they", "thing", "things", "think", "this", "those", "though", "three", "through", "time", "tinted", "to", "today", "told", "too", "took", "toward", "towards", "traffic", "train", "truck", "trucks", "two", "un", "una", "under", "unmarked", "until", "up", "us", "van", "vans", "vehicle", "vehicles", "very", "vests", "walk", "walked", "walking", "want", "was", "watch", "way", "we", "well", "went", "were", "west", "what", "when", "where", "which", "while", "white", "who", "why", "will", "with", "without", "work", "working", "would", "y", "ya", "yes", "yesterday", "yet", "you", "your", "agentes", "trocas", "troca", "esposo", "hija", "hijo", "hijos", "mama", "papa", "tio", "tia", "vecino", "vecina", "vecinos", "escuela", "iglesia", "tienda", "trabajo", "casa", "carro", "lavanderia", "panaderia", "gasolinera", "estacionamiento", "parqueo", "mercado", "calle", "esquina", "parque", "afuera", "adentro", "cerca", "frente", "lado", "todos", "todo", "nada", "nadie", "siguen", "sigue", "tambien", "aqui", "alla", "buenos", "buenas", "dias", "tardes", "noches", "gracias", "dios", "favor", "cuidado", "ayuda", "urgente", "confirmado", "verdad", "mentira", "falso", "verified", "verify", "checked", "person", "persons", "persona", "about", "platform", "light", "rail", "elevator", "stairs", "ramp", "lane", "lanes", "southbound", "northbound", "eastbound", "westbound", "downtown", "bound", "headed", "heading", "driving", "circling", "going", "leaving", "arrived", "arriving"])

#: a place given relative to a corner: "Payne a block south of Maryland", "on Bloomington just north of 35th",
#: "en la Bloomington a media cuadra de la 35". Between the two streets only these words (plus connectors and
#: filler), and at least one RELATIVE_ANCHOR; the result is the corner the two streets name.
RELATIVE_ANCHORS = {"of", "from", "near", "nearby", "by", "off", "past", "before", "after", "across", "next", "close",
                    "closer", "de", "del", "cerca", "pasando", "pasandito", "antes", "despues", "frente", "enfrente",
                    "junto", "lado", "altura", "llegando", "around"}
RELATIVE_WORDS = RELATIVE_ANCHORS | {
    "just", "right", "like", "about", "only", "maybe", "almost", "a", "an", "one", "two", "three", "four", "five",
    "1", "2", "3", "4", "5", "half", "couple", "few", "some", "little", "bit", "ways", "block", "blocks", "blk",
    "blks", "street", "up", "down", "the", "side", "corner", "north", "south", "east", "west", "northeast",
    "northwest", "southeast", "southwest", "n", "s", "e", "w", "ne", "nw", "se", "sw", "nb", "sb", "eb", "wb",
    "cuadra", "cuadras", "cuadrita", "cuadritas", "media", "medio", "una", "un", "dos", "tres", "cuatro", "cinco",
    "poco", "poquito", "mas", "menos", "o", "como", "casi", "justo", "al", "la", "el", "norte", "sur", "este",
    "oeste", "to", "or", "so"}
