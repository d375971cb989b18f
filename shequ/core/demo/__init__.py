"""The demo city generator's parts (``manage.py demo_city``, run by ``make demo``).

* ``places``: the shape of a city's place data; ``dalian``: Dalian's;
* ``names``: plausible Chinese names for people, communities and estates;
* ``tree``: builds the area tree through the area services, at a chosen size;
* ``personas``: one login per role, placed coherently in the tree.

Domain apps fill their own data through ``shequ.core.registry.DemoStep``.
"""

from shequ.core.demo.dalian import DALIAN
from shequ.core.demo.places import CityPlan

# Cities the generator can build, by ``--city`` name.
CITIES: dict[str, CityPlan] = {"dalian": DALIAN}
