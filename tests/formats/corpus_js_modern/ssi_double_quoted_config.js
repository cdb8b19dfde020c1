/* eslint-disable no-unused-vars, no-var */

var subdir = "<!--# echo var="subdir" default="" -->";
var subdomain = "<!--# echo var="subdomain" default="" -->";
if (subdir.startsWith('<!--')) {
    subdir = '';
}
if (subdomain) {
    subdomain = subdomain.substring(0, subdomain.length - 1).split('.').join('_').toLowerCase() + '.';
}
var config = {
    hosts: {
        domain: 'meet.example.com',
        muc: 'conference.' + subdomain + 'meet.example.com',
        focus: 'focus.<!--# echo var="subdomain" default="" -->meet.example.com',
    },
    bosh: 'https://meet.example.com/' + subdir + 'http-bind',
    websocket: 'wss://meet.example.com/' + subdir + 'xmpp-websocket',
    region: '<!--# echo var="region" default="eu" -->',
    enableWelcomePage: true,
    p2p: {
        enabled: true,
    },
};
config.hosts.anonymousdomain = 'guest.meet.example.com';
