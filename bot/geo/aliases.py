"""Curated alias table: nicknames, well-known places and renamed places.

Every entry here is hand-kept. Coordinates are either taken from the bundled data (an intersection
named by its two streets, resolved against the index at load time) or written out with a note on
where they come from. Uncertain places get precision "area".

Phrases are written the way people write them; they are normalised at load time with
`normalise.phrase_tokens`, so case, accents, hyphens, "St"/"Street"/"Ave" spellings and ordinal
suffixes ("38th") do not matter here.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlaceAlias:
    phrases: tuple[str, ...]
    place: str
    precision: str = "point"                  # "point" | "area"
    latlon: tuple[float, float] | None = None  # explicit coordinates ...
    corner: tuple[str, str] | None = None      # ... or an intersection from the index ("Lake St E", "Bloomington Av S")
    station: str | None = None                 # ... or an LRT station display name
    confidence: float = 0.9
    note: str = ""


@dataclass(frozen=True)
class AreaAlias:
    """A nickname for one or more official areas (Minneapolis neighbourhoods / Saint Paul districts)."""
    phrases: tuple[str, ...]
    areas: tuple[str, ...]                     # official names, as in the geojson files
    place: str = ""                            # display name; default: the first phrase, title-cased
    corner: tuple[str, str] | None = None      # optional representative point instead of the centroid
    latlon: tuple[float, float] | None = None
    needs_cue: bool = False                    # only with "in/en/around/barrio..." before it
    confidence: float = 0.68
    note: str = ""


PLACE_ALIASES: tuple[PlaceAlias, ...] = (
    PlaceAlias(
        ("whipple", "whipple building", "whipple bldg", "whipple federal building",
         "bishop henry whipple federal building", "bishop whipple", "henry whipple",
         "federal building", "fed building", "federal bldg", "edificio federal", "el edificio federal",
         "ice office", "ice field office", "ice building", "ice headquarters", "ice hq",
         "oficina de ice", "oficinas de ice", "oficina de inmigracion", "oficinas de inmigracion",
         "oficina de la migra", "1 federal dr", "one federal drive"),
        "Bishop Henry Whipple Federal Building", precision="area", latlon=(44.8875, -93.2029), confidence=0.88,
        note="1 Federal Dr, Fort Snelling 55111. Published coordinates disagree (44.8808,-93.2108 vs "
             "44.8942,-93.1949, ~2 km apart): the midpoint, with area precision (corpus landmarks_used.md)."),
    PlaceAlias(("mercado central", "el mercado central", "mercado centro"),
               "Mercado Central (Lake St E & Bloomington Av S)", corner=("Lake St E", "Bloomington Av S"),
               note="1515 E Lake St, at Lake & Bloomington: the intersection point from the index."),
    PlaceAlias(("midtown global market", "midtown global mkt", "global market", "midtown global",
                "midtown market", "mercado global", "el midtown global", "mgm"),
               "Midtown Global Market", latlon=(44.9488, -93.2608),
               note="920 E Lake St, former Sears building between Chicago Av and 10 Av S (+-100 m)."),
    PlaceAlias(("burrito mercado", "el burrito mercado", "burrito market", "el burrito"),
               "El Burrito Mercado (Cesar Chavez St & Wabasha St S)", corner=("Cesar Chavez", "Wabasha St"),
               note="175 Cesar Chavez St, Saint Paul; the Wabasha & Cesar Chavez stop, ~200 m away."),
    PlaceAlias(("little earth", "little earth of united tribes", "little earth housing"),
               "Little Earth of United Tribes", latlon=(44.9567, -93.2482),
               note="2495 18th Av S (corpus landmarks_used.md, medium confidence)."),
    PlaceAlias(("riverside plaza", "cedar square west", "the riverside plaza", "riverside towers",
                "cedar towers", "the towers in cedar riverside", "las torres de cedar"),
               "Riverside Plaza", latlon=(44.9705, -93.2480), note="Cedar-Riverside towers (medium confidence)."),
    PlaceAlias(("bde maka ska", "lake bde maka ska", "lake calhoun", "maka ska", "lago calhoun"),
               "Bde Maka Ska (Lake Calhoun)", latlon=(44.940624, -93.313542),
               note="Hennepin County park centroid of 'Lake Calhoun Park' (renamed Bde Maka Ska in 2017)."),
    PlaceAlias(("lake harriet",), "Lake Harriet", latlon=(44.922704, -93.30441), note="park centroid"),
    PlaceAlias(("lake nokomis",), "Lake Nokomis", latlon=(44.908839, -93.243531), note="park centroid"),
    PlaceAlias(("minnehaha falls", "las cataratas minnehaha", "cascada minnehaha"), "Minnehaha Falls (Minnehaha Park)",
               latlon=(44.912988, -93.205087), note="Minnehaha Park centroid"),
    PlaceAlias(("chicago lake", "chicago lake transit center", "chicago lake transit", "chicago and lake transit center"),
               "Lake St E & Chicago Av S", corner=("Lake St E", "Chicago Av S"), confidence=0.85),
    PlaceAlias(("lake street station", "lake st station", "lake station", "midtown station", "lake midtown station",
                "estacion de la lake", "estacion lake"),
               "Lake St Midtown Station", station="Lake St Midtown Station", confidence=0.92),
    PlaceAlias(("sagrado corazon", "sagrado corazon de jesus", "iglesia sagrado corazon", "incarnation church",
                "church of the incarnation", "la incarnation", "iglesia de la encarnacion"),
               "Incarnation / Sagrado Corazon de Jesus (38 St W & Pleasant Av S)", corner=("38 St W", "Pleasant Av S"),
               confidence=0.75, note="3817 Pleasant Av S, Minneapolis (address knowledge; the corner from the index)."),
    PlaceAlias(("holy rosary", "holy rosary church", "iglesia holy rosary", "santo rosario", "iglesia del santo rosario"),
               "Holy Rosary Church (18 Av S & 24 St E)", corner=("18 Av S", "24 St E"), confidence=0.75,
               note="2424 18th Av S, Minneapolis (address knowledge; the corner from the index)."),
    PlaceAlias(("saint stephens church", "saint stephen church", "san esteban", "iglesia san esteban"),
               "St. Stephen's Church (Clinton Av & 22 St E)", corner=("Clinton Av S", "22 St E"), confidence=0.75,
               note="2211 Clinton Av S, Minneapolis (address knowledge; the corner from the index)."),
    PlaceAlias(("hcmc", "hennepin county medical center", "hennepin healthcare", "county hospital"),
               "Hennepin County Medical Center", latlon=(44.971643, -93.262125), note="landmarks.csv (OSM)"),
    PlaceAlias(("mall of america", "moa", "el mall of america"), "Mall of America", latlon=(44.8549, -93.2422),
               confidence=0.85, note="Bloomington; well-known coordinates (Wikipedia)."),
    PlaceAlias(("state capitol", "minnesota state capitol", "the capitol", "el capitolio", "capitolio"),
               "Minnesota State Capitol", latlon=(44.9551, -93.1022), confidence=0.85,
               note="75 Rev Dr Martin Luther King Jr Blvd, Saint Paul; well-known coordinates."),
    PlaceAlias(("msp airport", "minneapolis airport", "the airport", "el aeropuerto", "aeropuerto",
                "msp international airport", "terminal 1", "terminal 2"),
               "Minneapolis-Saint Paul International Airport", precision="area", latlon=(44.8848, -93.2223),
               confidence=0.7, note="airport centroid (Wikipedia); large site, so area precision."),
    PlaceAlias(("fort snelling",), "Fort Snelling", precision="area", station="Fort Snelling Station", confidence=0.6,
               note="the place name without 'station': the station point, area precision."),
    PlaceAlias(("university of minnesota", "u of m", "umn", "la universidad de minnesota"),
               "University of Minnesota", precision="area", latlon=(44.9740, -93.2277), confidence=0.6),
    PlaceAlias(("hennepin county jail", "the jail", "county jail", "la carcel del condado", "public safety facility"),
               "Hennepin County Jail", latlon=(44.97662, -93.26438), confidence=0.8, note="landmarks.csv (OSM)"),
    PlaceAlias(("ramsey county jail", "ramsey county adc", "ramsey county law enforcement center"),
               "Ramsey County Law Enforcement Center", precision="area", latlon=(44.9466, -93.0887), confidence=0.7,
               note="425 Grove St, Saint Paul; approximate."),
)

#: context aliases: a store named together with a street ("the Cub on Lake", "Cub de la lake y minnehaha").
#: (store words, street words, maximum tokens between, alias)
CONTEXT_ALIASES: tuple[tuple[tuple[str, ...], tuple[str, ...], int, PlaceAlias], ...] = (
    (("cub", "cub foods"), ("lake", "minnehaha", "hiawatha"), 5,
     PlaceAlias((), "Cub Foods Lake St (Lake St E & Minnehaha Av)", corner=("Lake St E", "Minnehaha Av"), confidence=0.88,
                note="2850 26th Av S: the store lot NE of Lake & Minnehaha; the corner point (corpus: 181 m).")),
    (("target",), ("lake",), 3,
     PlaceAlias((), "Target Lake St (Lake St E & Minnehaha Av)", corner=("Lake St E", "Minnehaha Av"), confidence=0.75,
                note="2500 E Lake St: between 25th Av and Minnehaha; approximate.")),
    (("cub", "cub foods"), ("broadway",), 3,
     PlaceAlias((), "Cub Foods Broadway (W Broadway & Lyndale Av N)", precision="area",
                corner=("Broadway Av W", "Lyndale Av N"), confidence=0.6, note="approximate: 701 W Broadway")),
)

AREA_ALIASES: tuple[AreaAlias, ...] = (
    AreaAlias(("uptown", "uptown minneapolis"), ("Lowry Hill East", "East Isles", "South Uptown", "East Bde Maka Ska"),
              place="Uptown", corner=("Hennepin Av S", "Lake St W"),
              note="not an official neighbourhood: the four around Hennepin & Lake; point: that corner"),
    AreaAlias(("dinkytown",), ("Marcy Holmes",), place="Dinkytown", corner=("4 St SE", "14 Av SE"),
              note="commercial district in Marcy-Holmes; point: 4th St SE & 14th Av SE"),
    AreaAlias(("west bank", "cedar riverside", "cedar riverside neighborhood"), ("Cedar Riverside",), place="Cedar Riverside"),
    AreaAlias(("frogtown", "frog town"), ("Thomas-Dale/Frogtown",), place="Frogtown"),
    AreaAlias(("thomas dale",), ("Thomas-Dale/Frogtown",)),
    AreaAlias(("rondo", "old rondo", "rondo neighborhood"), ("Summit-University",), place="Rondo",
              note="historic Rondo lies mostly in Summit-University (district 8)"),
    AreaAlias(("east side", "eastside", "east side saint paul", "el east side"),
              ("Payne-Phalen", "Dayton's Bluff", "Greater East Side"), place="East Side (Saint Paul)", needs_cue=True,
              confidence=0.6),
    AreaAlias(("midway", "the midway", "hamline midway"), ("Hamline-Midway",), place="Midway"),
    AreaAlias(("powderhorn", "powderhorn neighborhood"), ("Powderhorn Park",), place="Powderhorn"),
    AreaAlias(("phillips", "phillips neighborhood", "the phillips"),
              ("Phillips West", "Midtown Phillips", "East Phillips", "Ventura Village"), place="Phillips",
              note="the Phillips community: union of its 4 neighbourhoods"),
    AreaAlias(("northeast", "northeast minneapolis", "nordeast", "ne minneapolis", "ne mpls", "noreste"),
              ("Audubon Park", "Beltrami", "Bottineau", "Columbia Park", "Holland", "Logan Park", "Marshall Terrace",
               "Northeast Park", "Sheridan", "St. Anthony East", "St. Anthony West", "Waite Park", "Windom Park"),
              place="Northeast Minneapolis", needs_cue=True, confidence=0.55),
    AreaAlias(("north minneapolis", "north mpls", "northside", "north side", "el norte de minneapolis"),
              ("Near - North", "Willard - Hay", "Harrison", "Sumner - Glenwood", "Hawthorne", "Jordan", "Folwell",
               "McKinley", "Cleveland", "Lind - Bohanon", "Webber - Camden", "Victory", "Shingle Creek",
               "Camden Industrial", "Humboldt Industrial Area"),
              place="North Minneapolis", needs_cue=True, confidence=0.5),
    AreaAlias(("downtown minneapolis", "downtown mpls", "downtown", "el downtown", "el centro de minneapolis"),
              ("Downtown West", "Downtown East"), place="Downtown Minneapolis", confidence=0.55),
    AreaAlias(("downtown saint paul", "downtown stp", "lowertown", "capitol river", "el centro de saint paul"),
              ("Downtown (CapitolRiver)",), place="Downtown Saint Paul", confidence=0.6),
    AreaAlias(("ecco",), ("East Bde Maka Ska",)),
    AreaAlias(("carag",), ("South Uptown",)),
    AreaAlias(("west calhoun",), ("West Maka Ska",)),
    AreaAlias(("mac groveland", "macalester groveland", "mac grove"), ("Macalester-Groveland",)),
    AreaAlias(("daytons bluff", "dayton bluff", "daytons"), ("Dayton's Bluff",)),
    AreaAlias(("payne phalen", "railroad island", "phalen"), ("Payne-Phalen",), needs_cue=False),
    AreaAlias(("swede hollow",), ("Dayton's Bluff",)),
    AreaAlias(("westside", "west side saint paul", "lado oeste de saint paul", "el west side", "west side"), ("West Side",)),
    AreaAlias(("cathedral hill", "selby dale"), ("Summit-University",)),
    AreaAlias(("merriam park",), ("Union Park",)),
    AreaAlias(("battle creek", "sunray", "highwood", "highwood hills", "eastview", "conway"),
              ("Eastview-Conway-Battle Creek-Highwood Hills (Sunray-Battlecreek-Highwood)",), place="Battle Creek / Highwood"),
    AreaAlias(("west seventh", "fort road"), ("West Seventh/Fort Road",), needs_cue=True),
    AreaAlias(("saint anthony park", "saint anthony park saint paul"), ("St. Anthony Park",)),
    AreaAlias(("stevens square",), ("Steven's Square - Loring Heights",)),
    AreaAlias(("loring heights",), ("Steven's Square - Loring Heights",)),
    AreaAlias(("nicollet island",), ("Nicollet Island - East Bank",)),
    AreaAlias(("prospect park",), ("Prospect Park - East River Road",)),
    AreaAlias(("near north", "near northside"), ("Near - North",)),
    AreaAlias(("cedar isles dean",), ("Cedar - Isles - Dean",)),
    AreaAlias(("bryn mawr",), ("Bryn - Mawr",)),
    AreaAlias(("willard hay",), ("Willard - Hay",)),
    AreaAlias(("sumner glenwood",), ("Sumner - Glenwood",)),
    AreaAlias(("lind bohanon",), ("Lind - Bohanon",)),
    AreaAlias(("webber camden", "camden"), ("Webber - Camden",)),
    AreaAlias(("mid city industrial", "mid city"), ("Mid - City Industrial",)),
    AreaAlias(("marcy holmes", "marcy-holmes"), ("Marcy Holmes",)),
    AreaAlias(("ventura village", "franklin avenue area"), ("Ventura Village",)),
    AreaAlias(("longfellow community",), ("Cooper", "Hiawatha", "Howe", "Longfellow", "Seward"), place="Longfellow community"),
    AreaAlias(("nokomis", "nokomis community"), ("Diamond Lake", "Ericsson", "Field", "Hale", "Keewaydin", "Minnehaha",
                                                 "Morris Park", "Northrop", "Page", "Regina", "Wenonah"),
              place="Nokomis community", needs_cue=True, confidence=0.5),
)
